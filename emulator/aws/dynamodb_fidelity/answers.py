"""Corrections to moto's answers where their shape differs from DynamoDB's."""

from __future__ import annotations

import math
import uuid
from typing import Any

from emulator.aws.dynamodb_fidelity.errors import error_codes, error_type
from emulator.aws.dynamodb_fidelity.values import item_size
from emulator.aws.dynamodb_fidelity.wire import replaced
from emulator.aws.requests import AwsResponse

_TABLE_DESCRIPTIONS = frozenset({"DescribeTable", "CreateTable", "DeleteTable", "UpdateTable"})
_NAMESPACE = uuid.UUID("6f1c0f8e-4b8a-4f7e-9a57-0d3c5b1e2a90")


def correct(operation: str, body: dict[str, Any], response: AwsResponse) -> AwsResponse:
    if not response.ok:
        return _error_code(response)
    if operation not in _TABLE_DESCRIPTIONS and b'"ConsumedCapacity"' not in response.body:
        return response  # nothing to correct: skip parsing the body
    answer = response.json()
    changed = False
    if "ConsumedCapacity" in answer and body.get("ReturnConsumedCapacity") in (None, "NONE"):
        # API_PutItem.html etc., "ConsumedCapacity": "returned only if the ReturnConsumedCapacity
        # parameter was specified".
        del answer["ConsumedCapacity"]
        changed = True
    if operation == "GetItem" and "ConsumedCapacity" in answer:
        set_read_capacity(answer, [answer["Item"]] if "Item" in answer else [], body)
        changed = True
    if operation in _TABLE_DESCRIPTIONS:
        key = "Table" if operation == "DescribeTable" else "TableDescription"
        description = answer.get(key)
        if isinstance(description, dict):
            _describe(description, deleting=operation == "DeleteTable")
            changed = True
    if not changed:
        return response
    return replaced(response, answer)


def set_read_capacity(answer: dict[str, Any], items: list[dict[str, Any]], body: dict[str, Any]) -> None:
    """Read capacity ("DynamoDB read and write operations", "Capacity unit consumption for read
    operations", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html):
    one unit per 4 KB read (rounded up, at least one) when strongly consistent, half as much when
    eventually consistent. Query and Scan count the items read, before any filter."""
    total = sum(item_size(item) for item in items)
    units = max(1, math.ceil(total / 4096)) * (1.0 if body.get("ConsistentRead") else 0.5)
    _set_capacity(answer, body, units)


def with_write_capacity(
    response: AwsResponse, body: dict[str, Any], *items: dict[str, Any] | None
) -> AwsResponse:
    """Write capacity (same page, "Capacity unit consumption for write operations"): one unit per
    1 KB written, rounded up, at least one; for a replaced or updated item, of the larger of the
    item before and after; for a deleted one, of the item deleted. Only when asked for."""
    if body.get("ReturnConsumedCapacity") not in ("TOTAL", "INDEXES") or not response.ok:
        return response
    size = max((item_size(item) for item in items if item), default=0)
    answer = response.json()
    _set_capacity(answer, body, float(max(1, math.ceil(size / 1024))))
    return replaced(response, answer)


def _set_capacity(answer: dict[str, Any], body: dict[str, Any], units: float) -> None:
    """ConsumedCapacity (API_ConsumedCapacity.html): the table's name and units, and with
    ``INDEXES`` the table's own share too."""
    capacity: dict[str, Any] = {"TableName": body.get("TableName"), "CapacityUnits": units}
    if body.get("ReturnConsumedCapacity") == "INDEXES":
        capacity["Table"] = {"CapacityUnits": units}
    answer["ConsumedCapacity"] = capacity


def _describe(description: dict[str, Any], *, deleting: bool) -> None:
    """TableDescription (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html)
    has ``TableId``; each index has ``IndexArn`` (``<table ARN>/index/<name>``), ``IndexSizeBytes``
    and ``ItemCount``; DeleteTable answers with the table ``DELETING``."""
    arn = description.get("TableArn")
    if isinstance(arn, str):
        description.setdefault(
            "TableId", str(uuid.uuid5(_NAMESPACE, f"{arn}@{description.get('CreationDateTime')}"))
        )
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            for index in description.get(kind) or []:
                index.setdefault("IndexArn", f"{arn}/index/{index.get('IndexName')}")
                index.setdefault("IndexSizeBytes", 0)
                index.setdefault("ItemCount", 0)
    if deleting:
        description["TableStatus"] = "DELETING"


def _error_code(response: AwsResponse) -> AwsResponse:
    """moto names some errors without their ``Exception`` suffix (``ResourceNotFound``), which
    botocore then does not map to ``client.exceptions.ResourceNotFoundException``."""
    answer = response.json()
    kind = answer.get("__type")
    if not isinstance(kind, str):
        return response
    code = kind.rsplit("#", 1)[-1]
    if code in error_codes() or f"{code}Exception" not in error_codes():
        return response
    answer["__type"] = error_type(f"{code}Exception")
    return replaced(response, answer)
