"""Request rules DynamoDB applies beyond the service model: expressions and their parameters,
keys, index keys, update operand types.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from emulator.aws.dynamodb_fidelity import expressions as ex
from emulator.aws.dynamodb_fidelity import legacy
from emulator.aws.dynamodb_fidelity.errors import invalid_parameters, validation
from emulator.aws.dynamodb_fidelity.evaluation import resolve
from emulator.aws.dynamodb_fidelity.tables import TableInfo
from emulator.aws.dynamodb_fidelity.values import item_size

# "Quotas in Amazon DynamoDB" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html):
# partition key value at most 2,048 bytes, sort key value at most 1,024 bytes, item at most 400 KB.
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
MAX_ITEM_BYTES = 400 * 1024
_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")
# "Legacy conditional parameters": a request uses expressions or these, never both.
_LEGACY = ("AttributesToGet", "AttributeUpdates", "Expected", "KeyConditions", "QueryFilter", "ScanFilter")


@dataclass
class Expressions:
    """The parsed expressions of one request (or one transaction item)."""

    condition: Any = None  # ConditionExpression or Expected, as a tree
    filter: Any = None  # FilterExpression, QueryFilter or ScanFilter
    key_condition: Any = None
    projection: tuple[ex.Path, ...] | None = None
    update: ex.Update | None = None
    used: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)  # parameter -> (names, values)


def parse_expressions(body: dict[str, Any], parameters: tuple[str, ...]) -> Expressions:
    """Parse the expression parameters of ``body`` that the operation has, and apply the rules on
    ExpressionAttributeNames/Values ("Expression attribute names" and "Expression attribute
    values" pages): every placeholder used is defined, every one defined is used, keys are
    ``#name``/``:value``, neither map is empty nor given without an expression."""
    names, values = body.get("ExpressionAttributeNames"), body.get("ExpressionAttributeValues")
    present = [p for p in parameters if body.get(p) is not None]
    mixed = [p for p in _LEGACY if body.get(p) is not None]
    if present and mixed:
        raise validation(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(mixed)}}} "
            f"Expression parameters: {{{', '.join(present)}}}"
        )
    if names is not None:
        if not present:
            raise validation("ExpressionAttributeNames can only be specified when using expressions")
        if not names:
            raise validation("ExpressionAttributeNames must not be empty")
        for key in names:
            if not _NAME_KEY.fullmatch(key):
                raise validation(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
    if values is not None:
        if not present:
            raise validation("ExpressionAttributeValues can only be specified when using expressions")
        if not values:
            raise validation("ExpressionAttributeValues must not be empty")
        for key in values:
            if not _VALUE_KEY.fullmatch(key):
                raise validation(
                    f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
                )
    parsed = Expressions()
    all_names: set[str] = set()
    all_values: set[str] = set()
    for parameter in present:
        text = body[parameter]
        subs = ex.Substitutions(names, values)
        try:
            if parameter == "UpdateExpression":
                parsed.update = ex.parse_update(text, subs)
            elif parameter == "ProjectionExpression":
                parsed.projection = ex.parse_projection(text, subs)
            else:
                tree = ex.parse_condition(text, parameter, subs)
                setattr(parsed, _FIELD[parameter], tree)
        except RecursionError:
            raise validation(f"Invalid {parameter}: The expression has too many levels of nesting") from None
        parsed.used[parameter] = (subs.used_names, subs.used_values)
        all_names |= subs.used_names
        all_values |= subs.used_values
    unused_names = sorted(set(names or ()) - all_names)
    if unused_names:
        raise validation(
            "Value provided in ExpressionAttributeNames unused in expressions: "
            f"keys: {{{', '.join(unused_names)}}}"
        )
    unused_values = sorted(set(values or ()) - all_values)
    if unused_values:
        raise validation(
            "Value provided in ExpressionAttributeValues unused in expressions: "
            f"keys: {{{', '.join(unused_values)}}}"
        )
    if parsed.condition is None and body.get("Expected"):
        parsed.condition = legacy.conditions(body["Expected"], body.get("ConditionalOperator"), expected=True)
    if parsed.filter is None:
        for parameter in ("QueryFilter", "ScanFilter"):
            if body.get(parameter):
                parsed.filter = legacy.conditions(
                    body[parameter], body.get("ConditionalOperator"), expected=False
                )
    if parsed.projection is None and body.get("AttributesToGet"):
        parsed.projection = tuple(ex.Path((name,), name) for name in body["AttributesToGet"])
    return parsed


_FIELD = {
    "ConditionExpression": "condition",
    "FilterExpression": "filter",
    "KeyConditionExpression": "key_condition",
}


def check_return_values(body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """PutItem and DeleteItem: "ReturnValues ... NONE | ALL_OLD" (API_PutItem.html, API_DeleteItem.html)."""
    value = body.get("ReturnValues")
    if value is not None and value not in allowed:
        raise validation(f"ReturnValues can only be {' or '.join(allowed)}")


def check_key(info: TableInfo, key: dict[str, Any]) -> None:
    """A Key parameter names exactly the table's key attributes, with their types ("The provided
    key element does not match the schema", API_GetItem.html / API_UpdateItem.html "Key")."""
    if set(key) != set(info.key) or any(next(iter(key[n]), None) != info.types.get(n) for n in info.key):
        raise validation("The provided key element does not match the schema")
    check_key_values(info, key)


def check_item(info: TableInfo, item: dict[str, Any], encoded_size: int) -> None:
    """PutItem's Item: its key attributes present with their types, index key attributes with
    theirs (API_PutItem.html, "Item"), size at most 400 KB. ``encoded_size`` is the length of the
    request body holding the item: an item's stored size never exceeds its JSON encoding, so a
    body under the limit needs no counting."""
    for name in info.key:
        if name not in item:
            raise invalid_parameters(f"Missing the key {name} in the item")
        actual = next(iter(item[name]), None)
        if actual != info.types.get(name):
            raise invalid_parameters(
                f"Type mismatch for key {name} expected: {info.types.get(name)} actual: {actual}"
            )
    check_key_values(info, item)
    check_index_keys(info, item)
    if encoded_size > MAX_ITEM_BYTES and item_size(item) > MAX_ITEM_BYTES:
        raise validation("Item size has exceeded the maximum allowed size")


def key_identity(key: dict[str, Any]) -> str:
    return json.dumps(key, sort_keys=True)


def check_distinct_keys(keys: list[dict[str, Any]]) -> None:
    """A batch names each item once (API_BatchWriteItem.html, API_BatchGetItem.html: "Provided
    list of item keys contains duplicates")."""
    if len({key_identity(key) for key in keys}) != len(keys):
        raise validation("Provided list of item keys contains duplicates")


def check_key_values(info: TableInfo, key: dict[str, Any]) -> None:
    for position, name in enumerate(info.key):
        kind, data = next(iter(key[name].items()))
        if data in ("", []):
            raise validation(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                f"contain an empty {'string' if kind == 'S' else 'binary'} value. Key: {name}"
            )
        size = len(data.encode()) if kind == "S" else len(data) * 3 // 4 if kind == "B" else 0
        if position == 0 and size > MAX_PARTITION_KEY_BYTES:
            raise invalid_parameters(
                f"Size of hashkey has exceeded the maximum size limit of {MAX_PARTITION_KEY_BYTES} bytes"
            )
        if position == 1 and size > MAX_SORT_KEY_BYTES:
            raise invalid_parameters(
                f"Aggregated size of all range keys has exceeded the size limit of {MAX_SORT_KEY_BYTES} bytes"
            )


def check_index_keys(info: TableInfo, item: dict[str, Any]) -> None:
    """An item's attribute that is a key of a secondary index has the type the table declares for
    it and is not empty ("Secondary indexes": "the index key attributes ... must be of the type
    declared", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/SecondaryIndexes.html)."""
    for index, attributes in info.indexes.items():
        for name in attributes:
            value = item.get(name)
            if value is None:
                continue
            kind, data = next(iter(value.items()))
            expected = info.types.get(name)
            if kind != expected:
                raise invalid_parameters(
                    f"Type mismatch for Index Key {name} Expected: {expected} Actual: {kind} "
                    f"IndexName: {index}"
                )
            if data in ("", []):
                raise validation(
                    "One or more parameter values are not valid. "
                    "A value specified for a secondary index key is not supported. "
                    "The AttributeValue for a key attribute cannot contain an empty string value. "
                    f"IndexName: {index}, IndexKey: {name}"
                )


def check_update_types(update: ex.Update, old: dict[str, Any] | None) -> None:
    """ADD and DELETE, and ``+``/``-``, on attributes of other types than their operands are refused
    ("Update expressions": ADD takes a number or a set of the same type, DELETE a set of the
    same type, ``+``/``-`` numbers): "An operand in the update expression has an incorrect data type"."""
    for path, value in (*update.add, *update.delete):
        current = resolve(path, old)
        if current is not None and next(iter(current)) != next(iter(value.value)):
            raise validation("An operand in the update expression has an incorrect data type")
    for action in update.set:
        if isinstance(action.value, ex.Arithmetic):
            for operand in (action.value.left, action.value.right):
                current = _operand_value(operand, old)
                if current is None and isinstance(operand, ex.Path):
                    raise validation(
                        "The provided expression refers to an attribute that does not exist in the item"
                    )
                if current is not None and next(iter(current)) != "N":
                    raise validation("An operand in the update expression has an incorrect data type")
        elif isinstance(action.value, ex.Call) and action.value.name == "list_append":
            for operand in action.value.args:
                current = _operand_value(operand, old)
                if current is not None and next(iter(current)) != "L":
                    raise validation("An operand in the update expression has an incorrect data type")


def _operand_value(operand: Any, item: dict[str, Any] | None) -> dict[str, Any] | None:
    if isinstance(operand, ex.Value):
        return operand.value
    if isinstance(operand, ex.Path):
        return resolve(operand, item)
    if isinstance(operand, ex.Call) and operand.name == "if_not_exists":
        return resolve(operand.args[0], item) or _operand_value(operand.args[1], item)
    return None  # list_append's result is a list; checked on its own
