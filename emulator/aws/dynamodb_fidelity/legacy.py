"""The legacy conditional parameters as condition trees: ``Expected`` (PutItem, UpdateItem,
DeleteItem), ``QueryFilter``, ``ScanFilter``, with ``ConditionalOperator``.

"Legacy conditional parameters"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html)
and ``ExpectedAttributeValue``
(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExpectedAttributeValue.html):
``Exists: false`` means the attribute is absent; ``Value`` (``Exists`` true by default) means
it equals the value; ``ComparisonOperator`` with ``AttributeValueList`` compares; the
conditions are joined by ``ConditionalOperator`` (``AND`` unless ``OR`` is given).
"""

from __future__ import annotations

from typing import Any

from emulator.aws.dynamodb_fidelity.errors import invalid_parameters, validation
from emulator.aws.dynamodb_fidelity.expressions import Between, Call, Compare, In, Logical, Not, Path, Value

_ARGUMENTS = {
    "EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0,
    "CONTAINS": 1, "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "BETWEEN": 2,
}  # fmt: skip
_COMPARATORS = {"EQ": "=", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}


def conditions(parameters: dict[str, Any] | None, operator: str | None, *, expected: bool) -> Any:
    """One condition tree for the parameters, or None when there are none."""
    if not parameters:
        return None
    tree = None
    for name, spec in parameters.items():
        condition = _one(name, spec if isinstance(spec, dict) else {}, expected=expected)
        tree = condition if tree is None else Logical(operator or "AND", tree, condition)
    return tree


def _one(name: str, spec: dict[str, Any], *, expected: bool) -> Any:
    path = Path((name,), name)
    operator = spec.get("ComparisonOperator")
    values = spec.get("AttributeValueList")
    if expected and operator is None:
        exists = spec.get("Exists", True)
        if "Value" in spec:
            if exists is False:
                raise invalid_parameters(f"Value cannot be used when Exists is false for Attribute: {name}")
            return Compare("=", path, Value(":legacy", spec["Value"]))
        if exists is not False:
            raise invalid_parameters(f"Value must be provided when Exists is true for Attribute: {name}")
        return Call("attribute_not_exists", (path,))
    if operator is None:
        raise validation(
            f"One or more parameter values were invalid: ComparisonOperator is required for Attribute: {name}"
        )
    if values is None and "Value" in spec:
        values = [spec["Value"]]
    values = [Value(":legacy", v) for v in values or []]
    wanted = _ARGUMENTS.get(operator)
    if operator == "IN" and values:
        return In(path, tuple(values))
    if wanted is None or len(values) != wanted:
        raise invalid_parameters(f"Invalid number of argument(s) for the {operator} ComparisonOperator")
    if operator in _COMPARATORS:
        return Compare(_COMPARATORS[operator], path, values[0])
    if operator == "NE":
        return Not(Compare("=", path, values[0]))
    if operator == "NOT_NULL":
        return Call("attribute_exists", (path,))
    if operator == "NULL":
        return Call("attribute_not_exists", (path,))
    if operator == "CONTAINS":
        return Call("contains", (path, values[0]))
    if operator == "NOT_CONTAINS":
        return Logical("AND", Call("attribute_exists", (path,)), Not(Call("contains", (path, values[0]))))
    if operator == "BEGINS_WITH":
        return Call("begins_with", (path, values[0]))
    return Between(path, values[0], values[1])


def attribute_updates(updates: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """``AttributeUpdates`` as the equivalent update expression, names and values
    (API_AttributeValueUpdate.html, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValueUpdate.html):
    PUT sets the value; DELETE without a value removes the attribute, with a set removes those
    members; ADD adds a number, adds set members, or appends to a list."""
    sections: dict[str, list[str]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for index, (name, update) in enumerate(updates.items()):
        update = update if isinstance(update, dict) else {}
        action = update.get("Action") or "PUT"
        value = update.get("Value")
        placeholder, slot = f"#u{index}", f":u{index}"
        names[placeholder] = name
        if value is None:
            if action != "DELETE":
                raise invalid_parameters("Only DELETE action is allowed when no attribute value is specified")
            sections["REMOVE"].append(placeholder)
            continue
        kind = next(iter(value), "")
        values[slot] = value
        if action == "PUT":
            sections["SET"].append(f"{placeholder} = {slot}")
        elif action == "DELETE":
            if kind not in ("SS", "NS", "BS"):
                raise invalid_parameters(f"DELETE action with value is not supported for the type {kind}")
            sections["DELETE"].append(f"{placeholder} {slot}")
        elif kind == "L":
            values[f"{slot}e"] = {"L": []}
            sections["SET"].append(
                f"{placeholder} = list_append(if_not_exists({placeholder}, {slot}e), {slot})"
            )
        elif kind in ("N", "SS", "NS", "BS"):
            sections["ADD"].append(f"{placeholder} {slot}")
        else:
            raise invalid_parameters(f"ADD action is not supported for the type {kind}")
    text = " ".join(f"{word} {', '.join(actions)}" for word, actions in sections.items() if actions)
    return text, names, values
