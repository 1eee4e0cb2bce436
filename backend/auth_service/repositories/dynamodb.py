"""The DynamoDB resource (one per execution environment) and small helpers around it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import boto3
from botocore.exceptions import ClientError

from auth_service.repositories.clients import BOTO_CONFIG

DYNAMODB = boto3.resource("dynamodb", config=BOTO_CONFIG)
# The resource's client applies the same Python <-> AttributeValue conversion as Table objects,
# which is what TransactWriteItems needs.
CLIENT = DYNAMODB.meta.client


def table(name: str) -> Any:
    return DYNAMODB.Table(name)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_conditional_failure(error: ClientError) -> bool:
    return error_code(error) == "ConditionalCheckFailedException"


def cancellation_codes(error: ClientError) -> list[str]:
    """Per-item reasons of a TransactionCanceledException, in TransactItems order."""
    reasons = error.response.get("CancellationReasons") or []
    return [str(reason.get("Code") or "None") for reason in reasons]


def as_int(value: Any, default: int = 0) -> int:
    if isinstance(value, Decimal | int | float):
        return int(value)
    return default


def plain(item: Any) -> Any:
    """Decimal -> int/float recursively (the resource returns every number as Decimal)."""
    if isinstance(item, dict):
        return {key: plain(value) for key, value in item.items()}
    if isinstance(item, list):
        return [plain(value) for value in item]
    if isinstance(item, Decimal):
        return int(item) if item == item.to_integral_value() else float(item)
    return item
