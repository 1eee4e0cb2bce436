"""GetItem, Query, Scan and BatchGetItem: their expressions checked, and for Query and Scan the
filter, projection and ``Select`` applied here to the page moto read.

"Query" and "Scan" in the API Reference (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html,
API_Scan.html): ``Limit`` is the number of items *evaluated*, before the filter; ``Count`` is the
number of items returned after it and ``ScannedCount`` the number evaluated; ``Select: COUNT``
returns no items; a projection returns only the named attributes.
"""

from __future__ import annotations

from typing import Any

from emulator.aws.dynamodb_fidelity import expressions as ex
from emulator.aws.dynamodb_fidelity import rules
from emulator.aws.dynamodb_fidelity.answers import set_read_capacity
from emulator.aws.dynamodb_fidelity.errors import validation
from emulator.aws.dynamodb_fidelity.evaluation import matches, project
from emulator.aws.dynamodb_fidelity.operations import Call, _without
from emulator.aws.dynamodb_fidelity.wire import replaced
from emulator.aws.requests import AwsResponse

_READ_SHAPING = (
    "FilterExpression",
    "QueryFilter",
    "ScanFilter",
    "ConditionalOperator",
    "ProjectionExpression",
    "AttributesToGet",
    "Select",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "KeyConditionExpression",
)
_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def get_item(call: Call) -> AwsResponse:
    rules.parse_expressions(call.body, ("ProjectionExpression",))
    info = call.table()
    if info is not None:
        rules.check_key(info, call.body["Key"])
    return call.forward()


def batch_get_item(call: Call) -> AwsResponse:
    for name, request in (call.body.get("RequestItems") or {}).items():
        rules.parse_expressions(request, ("ProjectionExpression",))
        info = call.table(name)
        if info is None:
            continue
        keys = request.get("Keys") or []
        for key in keys:
            rules.check_key(info, key)
        rules.check_distinct_keys(keys)
    return call.forward()


def query(call: Call) -> AwsResponse:
    return _read(call, ("KeyConditionExpression", "FilterExpression", "ProjectionExpression"))


def scan(call: Call) -> AwsResponse:
    return _read(call, ("FilterExpression", "ProjectionExpression"))


def _read(call: Call, parameters: tuple[str, ...]) -> AwsResponse:
    body = call.body
    parsed = rules.parse_expressions(body, parameters)
    select = body.get("Select")
    index = body.get("IndexName")
    if select == "SPECIFIC_ATTRIBUTES" and parsed.projection is None:
        raise validation("Select type SPECIFIC_ATTRIBUTES requires ProjectionExpression or AttributesToGet")
    if select not in (None, "SPECIFIC_ATTRIBUTES") and parsed.projection is not None:
        raise validation(f"Cannot specify the AttributesToGet when choosing to get {select}")
    if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
        raise validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    if (
        "KeyConditionExpression" in parameters
        and parsed.key_condition is None
        and not body.get("KeyConditions")
    ):
        raise validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
        )
    info = call.table()
    if info is None:
        return call.forward()
    if index is not None and index not in info.indexes:
        # API_Query.html / API_Scan.html "IndexName": an index the table does not have is a
        # ValidationException, not ResourceNotFoundException.
        raise validation(f"The table does not have the specified index: {index}")
    moto_body = _without(body, _READ_SHAPING)
    if parsed.key_condition is not None:
        schema = info.indexes[index] if index is not None else info.key
        moto_body.update(_key_condition(parsed.key_condition, schema))
    elif body.get("KeyConditions") is not None:
        moto_body["KeyConditions"] = body["KeyConditions"]
    response = call.forward(moto_body)
    if not response.ok:
        return response
    answer = response.json()
    items = answer.get("Items") or []
    kept = [item for item in items if parsed.filter is None or matches(parsed.filter, item)]
    if parsed.projection is not None:
        kept = [project(item, parsed.projection) for item in kept]
    if "ConsumedCapacity" in answer:
        set_read_capacity(answer, items, body)
    answer["Count"] = len(kept)
    answer["ScannedCount"] = len(items)
    if select == "COUNT":
        answer.pop("Items", None)
    else:
        answer["Items"] = kept
    return replaced(response, answer)


def _key_condition(tree: Any, schema: tuple[str, ...]) -> dict[str, Any]:
    """The key condition rewritten for moto as ``#k0 = :k0 [AND ...]``, after DynamoDB's rules
    ("Key condition expressions for Query",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html):
    an equality on the partition key, and optionally one condition (=, <, <=, >, >=, BETWEEN,
    begins_with) on the sort key; either operand may come first in a comparison."""
    parts = [tree.left, tree.right] if isinstance(tree, ex.Logical) and tree.op == "AND" else [tree]
    if len(parts) == 2 and any(isinstance(p, ex.Logical) for p in parts):
        raise validation(
            "Invalid KeyConditionExpression: The expression contains too many conditions on keys"
        )
    conditions: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for part in parts:
        name, op, values = _key_part(part)
        if name in conditions:
            raise validation(
                f"KeyConditionExpressions must only contain one condition per key; attribute name: {name}"
            )
        conditions[name] = (op, values)
    partition = schema[0]
    if partition not in conditions:
        raise validation(f"Query condition missed key schema element: {partition}")
    for name in conditions:
        if name not in schema:
            raise validation(
                f"Query condition missed key schema element: {schema[-1]}"
                if len(schema) > 1
                else "Query key condition not supported"
            )
    if conditions[partition][0] != "=":
        raise validation("Query key condition not supported")
    texts: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for index, name in enumerate(n for n in schema if n in conditions):
        op, operands = conditions[name]
        placeholders = [f":k{index}{i}" for i in range(len(operands))]
        names[f"#k{index}"] = name
        values.update(zip(placeholders, operands, strict=True))
        if op == "BETWEEN":
            texts.append(f"#k{index} BETWEEN {placeholders[0]} AND {placeholders[1]}")
        elif op == "begins_with":
            texts.append(f"begins_with(#k{index}, {placeholders[0]})")
        else:
            texts.append(f"#k{index} {op} {placeholders[0]}")
    return {
        "KeyConditionExpression": " AND ".join(texts),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def _key_part(part: Any) -> tuple[str, str, list[dict[str, Any]]]:
    if isinstance(part, ex.Compare) and part.op in _FLIPPED:
        left, right, op = part.left, part.right, part.op
        if isinstance(left, ex.Value) and isinstance(right, ex.Path):
            left, right, op = right, left, _FLIPPED[op]
        if isinstance(left, ex.Path) and isinstance(right, ex.Value) and len(left.elements) == 1:
            return str(left.elements[0]), op, [right.value]
    if (
        isinstance(part, ex.Between)
        and isinstance(part.operand, ex.Path)
        and len(part.operand.elements) == 1
        and isinstance(part.low, ex.Value)
        and isinstance(part.high, ex.Value)
    ):
        return str(part.operand.elements[0]), "BETWEEN", [part.low.value, part.high.value]
    if (
        isinstance(part, ex.Call)
        and part.name == "begins_with"
        and isinstance(part.args[1], ex.Value)
        and len(part.args[0].elements) == 1
    ):
        return str(part.args[0].elements[0]), "begins_with", [part.args[1].value]
    operator = (
        part.op
        if isinstance(part, (ex.Compare, ex.Logical))
        else getattr(part, "name", type(part).__name__.upper())
    )
    raise validation(f"Invalid operator used in KeyConditionExpression: {operator}")
