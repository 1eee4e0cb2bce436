"""DynamoDB's client errors, named and shaped by botocore's service model.

The model lists every modeled error shape (``ConditionalCheckFailedException``,
``TransactionCanceledException``...). Two errors every DynamoDB operation can answer are not
modeled per operation but documented as common errors, "Error handling with DynamoDB"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html):
``ValidationException`` (a parameter breaks a rule) and ``SerializationException`` (the request
is not valid JSON of the expected shape), both HTTP 400.
"""

from __future__ import annotations

import functools
from typing import Any

from emulator.aws.requests import AwsResponse

COMMON_ERRORS = frozenset({"ValidationException", "SerializationException"})


@functools.cache
def service_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("dynamodb")


@functools.cache
def error_codes() -> frozenset[str]:
    return frozenset(shape.name for shape in service_model().error_shapes) | COMMON_ERRORS


def error_type(code: str) -> str:
    """The ``__type`` of an error in the awsJson 1.0 protocol: ``<service namespace>#<code>``."""
    if code not in error_codes():
        raise ValueError(f"{code} is not an error DynamoDB answers")
    return f"com.amazonaws.dynamodb.v{service_model().api_version.replace('-', '')}#{code}"


class Rejection(Exception):
    """A request DynamoDB answers with a client error (HTTP 400) instead of doing it."""

    def __init__(self, code: str, message: str, **members: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.members = members

    def response(self) -> AwsResponse:
        body: dict[str, Any] = {"__type": error_type(self.code), "message": self.message}
        if self.members:
            allowed = service_model().shape_for(self.code).members
            unknown = set(self.members) - set(allowed)
            if unknown:
                raise ValueError(f"{self.code} has no member {sorted(unknown)}")
            body.update(self.members)
        from emulator.aws.dynamodb_fidelity.wire import json_answer

        return json_answer("400 Bad Request", body)


def validation(message: str) -> Rejection:
    return Rejection("ValidationException", message)


def serialization(message: str) -> Rejection:
    return Rejection("SerializationException", message)


def invalid_parameters(message: str) -> Rejection:
    """DynamoDB's prefix for rules about parameter values (keys, types, sizes)."""
    return validation(f"One or more parameter values were invalid: {message}")
