"""Conditions and projections evaluated on items in DynamoDB JSON, as DynamoDB evaluates them.

"Condition and filter expressions, operators, and functions"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html):

- a comparison is true only when both operands exist and are of the same type; numbers compare
  by value, strings and binaries by their bytes ("Comparison operator and function reference",
  and "Data types", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
  So ``a = b`` with both unset is false, and ``a < :v`` with a string and a number is false.
  ``a <> b`` is the negation of ``a = b``.
- ``begins_with`` is true for a string or binary attribute that starts with the operand;
  ``contains`` for a string holding a substring, a set holding a member, a list holding an
  element; ``size`` of a missing attribute, or of a number, boolean or null, makes its comparison false.
"""

from __future__ import annotations

from typing import Any

from emulator.aws.dynamodb_fidelity.comparison import as_bytes as _bytes
from emulator.aws.dynamodb_fidelity.comparison import comparable as _key
from emulator.aws.dynamodb_fidelity.comparison import equal, order
from emulator.aws.dynamodb_fidelity.expressions import (
    Between,
    Call,
    Compare,
    In,
    Logical,
    Not,
    Path,
    Value,
)

Item = dict[str, dict[str, Any]]
_MISSING = None


def resolve(path: Path, item: Item | None) -> dict[str, Any] | None:
    """The value at a document path, or None when there is none."""
    if item is None:
        return None
    current: Any = item.get(path.elements[0]) if isinstance(path.elements[0], str) else None
    for element in path.elements[1:]:
        if current is None:
            return None
        if isinstance(element, int):
            items = current.get("L")
            current = items[element] if isinstance(items, list) and element < len(items) else None
        else:
            members = current.get("M")
            current = members.get(element) if isinstance(members, dict) else None
    return current


def _operand(operand: Any, item: Item | None) -> dict[str, Any] | None:
    if isinstance(operand, Value):
        return operand.value
    if isinstance(operand, Path):
        return resolve(operand, item)
    if isinstance(operand, Call) and operand.name == "size":
        size = _size(resolve(operand.args[0], item))
        return None if size is None else {"N": str(size)}
    return None


def _size(value: dict[str, Any] | None) -> int | None:
    if value is None:
        return None
    kind, data = next(iter(value.items()))
    if kind == "S":
        return len(data)
    if kind == "B":
        return len(_bytes(data))
    if kind in ("SS", "NS", "BS", "L", "M"):
        return len(data)
    return None


def matches(condition: Any, item: Item | None) -> bool:
    if isinstance(condition, Logical):
        if condition.op == "AND":
            return matches(condition.left, item) and matches(condition.right, item)
        return matches(condition.left, item) or matches(condition.right, item)
    if isinstance(condition, Not):
        return not matches(condition.condition, item)
    if isinstance(condition, Compare):
        left, right = _operand(condition.left, item), _operand(condition.right, item)
        if condition.op == "=":
            return equal(left, right)
        if condition.op == "<>":
            return not equal(left, right)
        if left is None or right is None:
            return False
        sign = order(left, right)
        if sign is None:
            return False
        return {"<": sign < 0, "<=": sign <= 0, ">": sign > 0, ">=": sign >= 0}[condition.op]
    if isinstance(condition, Between):
        value = _operand(condition.operand, item)
        low, high = _operand(condition.low, item), _operand(condition.high, item)
        if value is None or low is None or high is None:
            return False
        above, below = order(value, low), order(value, high)
        return above is not None and below is not None and above >= 0 and below <= 0
    if isinstance(condition, In):
        value = _operand(condition.operand, item)
        return any(equal(value, _operand(choice, item)) for choice in condition.choices)
    if isinstance(condition, Call):
        return _function(condition, item)
    raise TypeError(f"not a condition: {condition!r}")


def _function(call: Call, item: Item | None) -> bool:
    name = call.name
    target = resolve(call.args[0], item)
    if name == "attribute_exists":
        return target is not None
    if name == "attribute_not_exists":
        return target is None
    if target is None:
        return False
    operand = _operand(call.args[1], item)
    if operand is None:
        return False
    if name == "attribute_type":
        return next(iter(target)) == operand.get("S")
    kind, data = next(iter(target.items()))
    okind, odata = next(iter(operand.items()))
    if name == "begins_with":
        if kind != okind or kind not in ("S", "B"):
            return False
        return data.startswith(odata) if kind == "S" else _bytes(data).startswith(_bytes(odata))
    # contains
    if kind == "S" and okind == "S":
        return odata in data
    if kind == "B" and okind == "B":
        return _bytes(odata) in _bytes(data)
    if kind in ("SS", "NS", "BS") and okind == kind[0]:
        return _key(operand)[1] in _key(target)[1]
    if kind == "L":
        return any(equal(element, operand) for element in data)
    return False


def project(item: Item, paths: tuple[Path, ...]) -> Item:
    """The parts of an item that the document paths name, nested as in the item
    ("Projection expressions": a path that names nothing is left out)."""
    result: Item = {}
    for path in paths:
        value = resolve(path, item)
        if value is not None:
            _place(result, path.elements, value)
    return result


def _place(target: Item, elements: tuple[str | int, ...], value: dict[str, Any]) -> None:
    """Put ``value`` at ``elements`` inside ``target``; list indexes become positions in a shorter
    list, in the order they were named (as DynamoDB returns projected list elements)."""
    head = elements[0]
    assert isinstance(head, str)
    if len(elements) == 1:
        target[head] = value
        return
    container = target.setdefault(head, {"M": {}} if isinstance(elements[1], str) else {"L": []})
    _place_nested(container, elements[1:], value)


def _place_nested(container: dict[str, Any], elements: tuple[str | int, ...], value: dict[str, Any]) -> None:
    head = elements[0]
    rest = elements[1:]
    if isinstance(head, str):
        members = container.setdefault("M", {})
        if not rest:
            members[head] = value
            return
        child = members.setdefault(head, {"M": {}} if isinstance(rest[0], str) else {"L": []})
        _place_nested(child, rest, value)
        return
    elements_list = container.setdefault("L", [])
    if not rest:
        elements_list.append(value)
        return
    child = {"M": {}} if isinstance(rest[0], str) else {"L": []}
    elements_list.append(child)
    _place_nested(child, rest, value)
