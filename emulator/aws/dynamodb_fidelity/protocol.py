"""The request body against the operation's input shape in botocore's service model.

DynamoDB speaks the awsJson 1.0 protocol: a body that is not JSON, or a member of the wrong JSON
type, is refused with ``SerializationException`` before anything else is looked at; a member
that breaks a constraint of the model (required, enum, length, range, pattern) is refused with
``ValidationException``, all such errors of a request in one message ("Error handling with
DynamoDB", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html;
the constraints are those of each operation's page in the API Reference,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from typing import Any

from emulator.aws.dynamodb_fidelity.errors import serialization, service_model, validation
from emulator.aws.dynamodb_fidelity.values import check_depth, check_value

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
    "blob": (str,),
    "timestamp": (int, float),
    "double": (int, float),
    "float": (int, float),
}


def parse_body(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise serialization("Start of structure or map found where not expected.") from None
    if not isinstance(parsed, dict):
        raise serialization("Start of structure or map expected.")
    return parsed


@functools.cache
def operation_names() -> frozenset[str]:
    return frozenset(service_model().operation_names)


def check(operation: str, body: dict[str, Any]) -> None:
    """Raise the Rejection DynamoDB answers for a body that does not fit the operation's input."""
    shape = service_model().operation_model(operation).input_shape
    if shape is None:
        return
    problems: list[str] = []
    _check(_spec(shape), body, "", problems, 0)
    _check_table_name(body.get("TableName"), problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise validation(f"{count} validation {noun} detected: " + "; ".join(problems))


class _Spec:
    """What the checks read of a botocore shape, read once: botocore rebuilds ``metadata`` and
    ``members`` on every access, which made the checks cost as much as moto's own handling."""

    __slots__ = (
        "enum",
        "key",
        "member",
        "members",
        "metadata",
        "name",
        "required_members",
        "type_name",
        "value",
    )

    def __init__(self, shape: Any) -> None:
        self.name: str = shape.name
        self.type_name: str = shape.type_name
        self.metadata: dict[str, Any] = dict(shape.metadata)
        self.enum: list[str] = list(getattr(shape, "enum", None) or [])
        self.required_members: list[str] = list(getattr(shape, "required_members", None) or [])
        self.members: dict[str, _Spec] = {}
        self.member: _Spec | None = None
        self.key: _Spec | None = None
        self.value: _Spec | None = None


_SPECS: dict[str, _Spec] = {}


def _spec(shape: Any) -> _Spec:
    """The shape's _Spec; shapes are recursive (AttributeValue holds maps of AttributeValue)."""
    cache_key = f"{shape.name}:{shape.type_name}"
    found = _SPECS.get(cache_key)
    if found is not None:
        return found
    spec = _SPECS[cache_key] = _Spec(shape)
    if spec.type_name == "structure":
        spec.members = {name: _spec(member) for name, member in shape.members.items()}
    elif spec.type_name == "list":
        spec.member = _spec(shape.member)
    elif spec.type_name == "map":
        spec.key, spec.value = _spec(shape.key), _spec(shape.value)
    return spec


def _member_path(parent: str, name: str) -> str:
    camel = name[:1].lower() + name[1:]
    return f"{parent}.{camel}" if parent else camel


def _check_attribute_value(value: Any, where: str, problems: list[str], depth: int) -> None:
    """The AttributeValue union walked by hand: it is most of every item, and the generic walk
    below costs three times as much."""
    if not isinstance(value, dict):
        raise serialization("Start of structure or map found where not expected.")
    depth += 1
    check_depth(depth)
    for kind, data in value.items():
        if data is None:
            continue
        if kind in ("S", "N"):
            if not isinstance(data, str):
                raise serialization(
                    f"Unexpected value type in payload: {_json_kind(data)} where string expected"
                )
        elif kind in ("SS", "NS", "BS"):
            if not isinstance(data, list):
                raise serialization("Start of list found where not expected")
            for index, element in enumerate(data, 1):
                if element is None:
                    problems.append(_null(f"{where}.{kind.lower()}.{index}.member"))
                elif not isinstance(element, str):
                    raise serialization(
                        f"Unexpected value type in payload: {_json_kind(element)} where string expected"
                    )
                elif kind == "BS":
                    _check_blob(element)
        elif kind == "B":
            if not isinstance(data, str):
                raise serialization(
                    f"Unexpected value type in payload: {_json_kind(data)} where blob expected"
                )
            _check_blob(data)
        elif kind == "M":
            if not isinstance(data, dict):
                raise serialization("Start of structure or map found where not expected.")
            for name, element in data.items():
                if element is None:
                    problems.append(_null(f"{where}.m.{name}.member"))
                else:
                    _check_attribute_value(element, f"{where}.m.{name}.member", problems, depth)
        elif kind == "L":
            if not isinstance(data, list):
                raise serialization("Start of list found where not expected")
            for index, element in enumerate(data, 1):
                if element is None:
                    problems.append(_null(f"{where}.l.{index}.member"))
                else:
                    _check_attribute_value(element, f"{where}.l.{index}.member", problems, depth)
        elif kind in ("NULL", "BOOL") and not isinstance(data, bool):
            raise serialization(
                f"Unexpected value type in payload: {_json_kind(data)} where boolean expected"
            )
    check_value(value)


def _check_table_name(name: Any, problems: list[str]) -> None:
    """A table name that is not an ARN has 3 to 255 characters of a-z, A-Z, 0-9, ``_``, ``-``, ``.``
    ("Naming rules", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html);
    the model's TableArn shape, which also takes ARNs, only asks for 1 to 1024."""
    if not isinstance(name, str) or name.startswith("arn:"):
        return
    if len(name) < 3:
        problems.append(_constraint(name, "tableName", "Member must have length greater than or equal to 3"))
    elif len(name) > 255:
        problems.append(_constraint(name, "tableName", "Member must have length less than or equal to 255"))
    elif not _matches(r"[a-zA-Z0-9_.-]+", name):
        problems.append(
            _constraint(name, "tableName", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        )


def _constraint(value: str, where: str, rule: str) -> str:
    return f"Value '{value}' at '{where}' failed to satisfy constraint: {rule}"


def _check_blob(value: str) -> None:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise serialization("Base64 encoded data is not valid") from None


def _check(shape: Any, value: Any, where: str, problems: list[str], depth: int) -> None:
    if shape.name == "AttributeValue":
        _check_attribute_value(value, where, problems, depth)
        return
    kind = shape.type_name
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise serialization(f"{type(value).__name__.upper()}_VALUE can not be converted to an Integer")
    elif not isinstance(value, _JSON_TYPES.get(kind, (object,))):
        if kind in ("structure", "map"):
            raise serialization("Start of structure or map found where not expected.")
        if kind == "list":
            raise serialization("Start of list found where not expected")
        raise serialization(f"Unexpected value type in payload: {_json_kind(value)} where {kind} expected")
    metadata = shape.metadata
    if kind == "structure":
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(_null(_member_path(where, name)))
        members = shape.members
        for name, element in value.items():
            member = members.get(name)
            if member is not None and element is not None:
                _check(member, element, _member_path(where, name), problems, depth)
    elif kind == "list":
        _check_length(len(value), metadata, value, where, problems)
        for index, element in enumerate(value, 1):
            if element is None:
                problems.append(_null(f"{where}.{index}.member"))
            else:
                _check(shape.member, element, f"{where}.{index}.member", problems, depth)
    elif kind == "map":
        _check_length(len(value), metadata, value, where, problems)
        for key, element in value.items():
            _check(shape.key, key, f"{where}.key", problems, depth)
            if element is None:
                problems.append(_null(f"{where}.{key}.member"))
            else:
                _check(shape.value, element, f"{where}.{key}.member", problems, depth)
    elif kind == "string":
        enum = shape.enum
        if enum and value not in enum:
            problems.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: Member must satisfy "
                f"enum value set: [{', '.join(enum)}]"
            )
        _check_length(len(value), metadata, value, where, problems)
        pattern = metadata.get("pattern")
        if pattern and not _matches(pattern, value):
            problems.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: Member must satisfy "
                f"regular expression pattern: {pattern}"
            )
    elif kind == "blob":
        _check_blob(value)
    elif kind in ("integer", "long"):
        if "min" in metadata and value < metadata["min"]:
            problems.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: Member must have "
                f"value greater than or equal to {metadata['min']}"
            )
        if "max" in metadata and value > metadata["max"]:
            problems.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: Member must have "
                f"value less than or equal to {metadata['max']}"
            )


def _null(where: str) -> str:
    return f"Value null at '{where}' failed to satisfy constraint: Member must not be null"


def _check_length(length: int, metadata: dict[str, Any], value: Any, where: str, problems: list[str]) -> None:
    low, high = metadata.get("min"), metadata.get("max")
    if (low is not None and length < low) or (high is not None and length > high):
        bound = (
            f"greater than or equal to {low}"
            if low is not None and length < low
            else f"less than or equal to {high}"
        )
        shown = value if isinstance(value, str) else "[...]"
        problems.append(
            f"Value '{shown}' at '{where}' failed to satisfy constraint: Member must have length {bound}"
        )


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _matches(pattern: str, value: str) -> bool:
    return _compiled(pattern).fullmatch(value) is not None


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOLEAN_VALUE"
    if isinstance(value, (int, float)):
        return "NUMBER_VALUE"
    if value is None:
        return "NULL_VALUE"
    return {str: "STRING_VALUE", dict: "START_OBJECT", list: "START_ARRAY"}.get(type(value), "VALUE")
