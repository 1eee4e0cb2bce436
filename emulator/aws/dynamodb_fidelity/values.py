"""Rules on attribute values that the service model cannot express.

- Exactly one data type per value ("Supported data types" in "Supported data types and naming
  rules", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
- Numbers: up to 38 significant digits; positive range 1E-130 to 9.9999999999999999999999999999999999999E+125,
  negative range the same, and 0 (same page, "Number").
- Sets are not empty and hold no duplicates (same page, "Sets").
- ``NULL`` is ``true`` (same page, "Null").
- Nested attributes: up to 32 levels ("Quotas in Amazon DynamoDB", "Attributes",
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html).
"""

from __future__ import annotations

import base64
from decimal import Decimal, InvalidOperation
from typing import Any

from emulator.aws.dynamodb_fidelity.errors import invalid_parameters, validation

TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
_TYPE_NAMES = frozenset(TYPES)
MAX_NESTING = 32
_MAX_DIGITS = 38
_SMALLEST = Decimal("1E-130")
_LARGEST = Decimal("9.9999999999999999999999999999999999999E+125")
_SET_NAMES = {"SS": "string", "NS": "number", "BS": "binary"}


def check_depth(depth: int) -> None:
    if depth > MAX_NESTING:
        raise validation(
            f"Nesting Levels have exceeded supported limits: Nesting level of {depth} exceeds {MAX_NESTING}"
        )


def check_value(value: dict[str, Any]) -> None:
    """One AttributeValue whose members have the right JSON types (its nested values are checked
    by the caller's walk)."""
    present = [name for name, data in value.items() if data is not None and name in _TYPE_NAMES]
    if len(present) == 1 and present[0] in ("S", "BOOL", "B", "M", "L"):
        return  # nothing more to check on these (their members were checked by the walk)
    if not present:
        raise validation(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        )
    if len(present) > 1:
        raise validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
            "supported datatypes"
        )
    kind = present[0]
    data = value[kind]
    if kind == "N":
        number(data)
    elif kind == "NULL" and data is not True:
        raise invalid_parameters("Null attribute value types must have the value of true")
    elif kind in _SET_NAMES:
        if not data:
            raise invalid_parameters(f"An {_SET_NAMES[kind]} set  may not be empty")
        members = [number(n) for n in data] if kind == "NS" else data
        if len(set(members)) != len(members):
            raise validation(f"Input collection {_show(data)} contains duplicates.")


def number(text: Any) -> Decimal:
    """The number a DynamoDB ``N`` string stands for, or the ValidationException DynamoDB answers."""
    if not isinstance(text, str):
        raise validation("The parameter cannot be converted to a numeric value")
    stripped = text.strip()
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not stripped or stripped[-1:].lower() == "e":
        raise validation(f"The parameter cannot be converted to a numeric value: {text}")
    if value == 0:
        return value
    if len(_significant(value)) > _MAX_DIGITS:
        raise validation("Attempting to store more than 38 significant digits in a Number")
    magnitude = value.copy_abs()  # abs() would round to the context's 28 digits
    if magnitude > _LARGEST:
        raise validation(
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
    if magnitude < _SMALLEST:
        raise validation(
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        )
    return value


def size_in_bytes(value: dict[str, Any]) -> int:
    """Stored size of a value ("Item sizes and formats",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
    strings UTF-8 bytes, numbers about one byte per two significant digits plus one, binary raw
    bytes, 3 bytes per map/list plus 1 per element, 1 byte for NULL and BOOL."""
    kind, data = next(iter(value.items()))
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return _number_size(data)
    if kind == "B":
        return len(_bytes(data))
    if kind == "SS":
        return sum(len(s.encode()) for s in data)
    if kind == "NS":
        return sum(_number_size(n) for n in data)
    if kind == "BS":
        return sum(len(_bytes(b)) for b in data)
    if kind == "M":
        return 3 + sum(len(k.encode()) + size_in_bytes(v) + 1 for k, v in data.items())
    if kind == "L":
        return 3 + sum(size_in_bytes(v) + 1 for v in data)
    return 1


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + size_in_bytes(value) for name, value in item.items())


def _significant(value: Decimal) -> str:
    """The significant digits (Decimal.normalize would round them to the context's 28)."""
    return "".join(map(str, value.as_tuple().digits)).strip("0") or "0"


def _number_size(text: str) -> int:
    return (len(_significant(Decimal(text))) + 1) // 2 + 1


def _bytes(data: str | bytes) -> bytes:
    return data if isinstance(data, bytes) else base64.b64decode(data)


def _show(data: list[Any]) -> str:
    return "[" + ", ".join(str(x) for x in data) + "]"
