"""DynamoDB items as JSON for the tables browser, both ways, and its opaque paging cursor.

Two forms:

- **DynamoDB JSON** (``format=dynamodb``, the default): the typed form DynamoDB's own API speaks,
  ``{"email": {"S": "ann@example.com"}, "logins": {"N": "3"}}``, binary as base64 (as on the wire:
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html).
  Lossless: sets, binary and numbers of up to 38 digits survive an edit.
- **plain JSON** (``format=plain``): ``{"email": "ann@example.com", "logins": 3}``, converted with
  boto3's ``TypeSerializer``/``TypeDeserializer``. Numbers are read as ``Decimal`` (exact); a list
  is a DynamoDB list (``L``), never a set; binary cannot be written this way (it reads as base64
  text). Numbers a JSON float cannot hold exactly are shown as strings.

Internally an item is boto3's client form (typed, binary as ``bytes``).
"""

from __future__ import annotations

import base64
import binascii
import decimal
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

FORMATS = ("dynamodb", "plain")
SCALAR_TYPES = ("S", "N", "B")  # what a key attribute can be
_TYPES = ("S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M")
_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


class ItemError(ValueError):
    """Input that cannot be an item, a key or a cursor: its message is fit for a 400."""


# -- reading -------------------------------------------------------------------------------------
def parse_item(text: str, fmt: str, *, what: str = "item") -> dict[str, Any]:
    """An item (or a key) given as JSON text in ``fmt``, in boto3's form."""
    try:
        parsed = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise ItemError(f"the {what} is not JSON ({exc})") from None
    if not isinstance(parsed, dict) or not parsed:
        raise ItemError(f"the {what} must be a JSON object of attributes")
    return from_json(parsed, fmt)


def from_json(attributes: Mapping[str, Any], fmt: str) -> dict[str, Any]:
    if fmt == "plain":
        return {name: _serialized(name, value) for name, value in attributes.items()}
    return {name: _from_wire(value, name) for name, value in attributes.items()}


def scalar(text: str, attribute_type: str, name: str) -> dict[str, Any]:
    """A key attribute's value typed in a form field (``S``: as is; ``N``: a number; ``B``: base64)."""
    if attribute_type == "N":
        _number(text, name)
        return {"N": text}
    if attribute_type == "B":
        return {"B": _unbase64(text, name)}
    return {"S": text}


def _serialized(name: str, value: Any) -> dict[str, Any]:
    try:
        return _SERIALIZER.serialize(value)
    except (decimal.Overflow, decimal.Underflow, decimal.Clamped):  # before Inexact: their subclasses
        raise ItemError(f"{name}: a number is out of DynamoDB's range (1E-130 to 1E+126)") from None
    except (decimal.Inexact, decimal.Rounded):
        raise ItemError(f"{name}: a number has more than 38 significant digits") from None
    except decimal.DecimalException:
        raise ItemError(f"{name}: not a number DynamoDB can hold") from None
    except (TypeError, ValueError):
        raise ItemError(f"{name}: this value has no DynamoDB type") from None


def _from_wire(value: Any, path: str) -> dict[str, Any]:
    """One DynamoDB JSON attribute value, checked, binary decoded."""
    if not (isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _TYPES):
        raise ItemError(
            f"{path}: not a DynamoDB JSON value (an object with one of {', '.join(_TYPES)} as its only "
            'key, e.g. {"S": "text"}; or send plain JSON with format=plain)'
        )
    [(tag, inner)] = value.items()
    if tag == "S":
        return {"S": _typed(inner, str, path, "a string")}
    if tag == "N":
        return {"N": _number(inner, path)}
    if tag == "B":
        return {"B": _unbase64(inner, path)}
    if tag == "BOOL":
        return {"BOOL": _typed(inner, bool, path, "true or false")}
    if tag == "NULL":
        if inner is not True:
            raise ItemError(f'{path}: NULL must be true ({{"NULL": true}})')
        return {"NULL": True}
    if tag == "L":
        items = _typed(inner, list, path, "a list")
        return {"L": [_from_wire(item, f"{path}[{i}]") for i, item in enumerate(items)]}
    if tag == "M":
        members = _typed(inner, dict, path, "an object")
        return {"M": {key: _from_wire(item, f"{path}.{key}") for key, item in members.items()}}
    members = _typed(inner, list, path, "a list")
    if tag == "SS":
        return {"SS": [_typed(item, str, path, "a list of strings") for item in members]}
    if tag == "NS":
        return {"NS": [_number(item, path) for item in members]}
    return {"BS": [_unbase64(item, path) for item in members]}


def _typed(value: Any, kind: type, path: str, said: str) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ItemError(f"{path}: must be {said}")
    return value


def _number(value: Any, path: str) -> str:
    """A number's text (DynamoDB JSON has it as a string; a JSON number is taken too)."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ItemError(f'{path}: a number must be given as text, e.g. {{"N": "42"}}')
    text = str(value)
    try:
        number = Decimal(text)
    except decimal.InvalidOperation:
        raise ItemError(f"{path}: {text!r} is not a number") from None
    if not number.is_finite():
        raise ItemError(f"{path}: {text!r} is not a number")
    return text


def _unbase64(value: Any, path: str) -> bytes:
    if not isinstance(value, str):
        raise ItemError(f"{path}: binary must be base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ItemError(f"{path}: binary must be base64 text") from None


# -- writing -------------------------------------------------------------------------------------
def to_json(item: Mapping[str, Any], fmt: str) -> dict[str, Any]:
    """An item in boto3's form as JSON-able ``fmt``."""
    if fmt == "plain":
        return {name: _plain(_DESERIALIZER.deserialize(value)) for name, value in item.items()}
    return {name: to_wire(value) for name, value in item.items()}


def to_wire(value: Mapping[str, Any]) -> dict[str, Any]:
    [(tag, inner)] = value.items()
    if tag == "B":
        return {"B": _base64(inner)}
    if tag == "BS":
        return {"BS": [_base64(item) for item in inner]}
    if tag == "L":
        return {"L": [to_wire(item) for item in inner]}
    if tag == "M":
        return {"M": {key: to_wire(item) for key, item in inner.items()}}
    return {tag: inner}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, Binary):
        return _base64(value.value)
    if isinstance(value, set | frozenset):
        return sorted((_plain(item) for item in value), key=str)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _base64(data: bytes | bytearray) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


# -- the paging cursor ---------------------------------------------------------------------------
def encode_cursor(last_evaluated_key: Mapping[str, Any] | None) -> str | None:
    """DynamoDB's ``LastEvaluatedKey`` as an opaque URL-safe token (None: no next page)."""
    if not last_evaluated_key:
        return None
    text = json.dumps(to_json(last_evaluated_key, "dynamodb"), separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    refused = ItemError("cursor is not one this API gave (pass back a page's cursor as it came)")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        parsed = json.loads(text)
    except (ValueError, binascii.Error):
        raise refused from None
    if not isinstance(parsed, dict) or not parsed:
        raise refused
    try:
        return from_json(parsed, "dynamodb")
    except ItemError:
        raise refused from None
