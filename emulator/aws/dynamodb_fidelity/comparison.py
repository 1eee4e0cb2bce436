"""How DynamoDB compares two values: equality across representations (1 and 1.0, sets in any
order) and the order of numbers, strings (by their UTF-8 bytes) and binaries ("Comparison
operator and function reference"). Shared by the expression checks (:mod:`.expressions`) and
their evaluation (:mod:`.evaluation`), which import it, not each other.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any


def as_bytes(data: Any) -> bytes:
    return data if isinstance(data, bytes) else base64.b64decode(data)


def comparable(value: dict[str, Any]) -> Any:
    """A comparable, hashable form of a value: equal values (1 and 1.0, sets in any order) agree."""
    kind, data = next(iter(value.items()))
    if kind == "N":
        return ("N", Decimal(data))
    if kind == "S":
        return ("S", data)
    if kind == "B":
        return ("B", as_bytes(data))
    if kind == "SS":
        return ("SS", frozenset(data))
    if kind == "NS":
        return ("NS", frozenset(Decimal(n) for n in data))
    if kind == "BS":
        return ("BS", frozenset(as_bytes(b) for b in data))
    if kind == "L":
        return ("L", tuple(comparable(v) for v in data))
    if kind == "M":
        return ("M", frozenset((k, comparable(v)) for k, v in data.items()))
    return (kind, data)


def equal(left: dict[str, Any] | None, right: dict[str, Any] | None) -> bool:
    if left is None or right is None:
        return False
    return comparable(left) == comparable(right)


def order(left: dict[str, Any], right: dict[str, Any]) -> int | None:
    """-1, 0 or 1 for two values of one ordered type (N, S, B); None when they do not compare."""
    lkind, rkind = next(iter(left)), next(iter(right))
    if lkind != rkind or lkind not in ("N", "S", "B"):
        return None
    a, b = comparable(left)[1], comparable(right)[1]
    if lkind == "S":
        a, b = a.encode(), b.encode()  # strings order by their UTF-8 bytes
    return (a > b) - (a < b)
