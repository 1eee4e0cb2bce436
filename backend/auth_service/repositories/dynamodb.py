"""The DynamoDB client (one per execution environment) and the Python <-> AttributeValue seam.

The low-level client, not ``boto3.resource("dynamodb")``: building the resource costs about as
much again as the client at cold start (its resource model is loaded and a class is generated
per Table), while all it adds is the type conversion below. That conversion is boto3's own
``TypeSerializer`` / ``TypeDeserializer`` — exactly what the resource's Table objects apply to
``Key``, ``Item``, ``ExpressionAttributeValues``, ``ExclusiveStartKey`` and to the items of a
response — so values go in and come out as they did through the resource (numbers as
``Decimal``). Expressions are plain strings with placeholders.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from auth_service.repositories.clients import BOTO_CONFIG

CLIENT = boto3.client("dynamodb", config=BOTO_CONFIG)

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()
# The request members that hold Python values (maps of attribute name or placeholder -> value).
_VALUE_MAPS = ("Key", "Item", "ExpressionAttributeValues", "ExclusiveStartKey")
# BatchGetItem takes at most 100 keys, BatchWriteItem 25 requests (DynamoDB API limits).
BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25
# Unprocessed keys/items (throttling) are resent with exponential backoff, as AWS advises for
# the batch operations; after this many tries the call fails rather than loop for ever.
_BATCH_ATTEMPTS = 8
_CONFLICT_ATTEMPTS = 3


def to_wire(values: Mapping[str, Any]) -> dict[str, Any]:
    """A map of Python values as DynamoDB AttributeValues."""
    return {name: _SERIALIZER.serialize(value) for name, value in values.items()}


def from_wire(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item of AttributeValues as Python values (numbers as ``Decimal``, as the resource gives)."""
    return {name: _DESERIALIZER.deserialize(value) for name, value in item.items()}


def wire_request(request: Mapping[str, Any]) -> dict[str, Any]:
    """A request (or one TransactItems member's body) with its value maps serialised."""
    return {k: to_wire(v) if k in _VALUE_MAPS else v for k, v in request.items()}


def _backoff(attempt: int) -> None:
    time.sleep(min(0.05 * 2**attempt, 1.0))


def _write(operation: Any, request: Mapping[str, Any]) -> Any:
    """A plain write, sent again if DynamoDB refused it for a transaction in flight on its item.

    A PutItem/UpdateItem/DeleteItem that meets an ongoing TransactWriteItems on the same item is
    refused with ``TransactionConflictException`` and not applied (so sending it again is safe,
    conditions included); botocore's retry modes do not retry that code. The sign-in's
    transaction touches the user item, so a profile update at the same instant can meet it.
    """
    wire = wire_request(request)
    for attempt in range(_CONFLICT_ATTEMPTS - 1):
        try:
            return operation(**wire)
        except ClientError as error:
            if error_code(error) != "TransactionConflictException":
                raise
            _backoff(attempt)
    return operation(**wire)


class Table:
    """One table over the shared client, with Python values in and out (as a resource Table)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def get_item(self, key: Mapping[str, Any]) -> dict[str, Any] | None:
        """A strongly consistent GetItem; None when the item does not exist."""
        response = CLIENT.get_item(TableName=self.name, Key=to_wire(key), ConsistentRead=True)
        item = response.get("Item")
        return from_wire(item) if item else None

    def put_item(self, item: Mapping[str, Any], **request: Any) -> None:
        _write(CLIENT.put_item, {"TableName": self.name, "Item": item, **request})

    def update_item(self, key: Mapping[str, Any], **request: Any) -> dict[str, Any]:
        """UpdateItem; returns the ``Attributes`` asked for with ``ReturnValues`` (else {})."""
        response = _write(CLIENT.update_item, {"TableName": self.name, "Key": key, **request})
        return from_wire(response.get("Attributes") or {})

    def delete_item(self, key: Mapping[str, Any], **request: Any) -> None:
        _write(CLIENT.delete_item, {"TableName": self.name, "Key": key, **request})

    def query(self, **request: Any) -> Iterator[dict[str, Any]]:
        """Every item a Query matches, following ``LastEvaluatedKey`` page by page."""
        return self._pages(CLIENT.query, request)

    def scan(self, **request: Any) -> Iterator[dict[str, Any]]:
        """Every item a Scan returns, page by page (admin tools only: a Scan reads the whole table)."""
        return self._pages(CLIENT.scan, request)

    def _pages(self, operation: Any, request: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        pending = {"TableName": self.name, **request}
        while True:
            page = operation(**wire_request(pending))
            yield from (from_wire(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return
            pending["ExclusiveStartKey"] = from_wire(page["LastEvaluatedKey"])

    def delete_items(self, keys: Sequence[Mapping[str, Any]]) -> None:
        """Delete many items with BatchWriteItem, 25 at a time, resending unprocessed ones."""
        for start in range(0, len(keys), BATCH_WRITE_LIMIT):
            pending: dict[str, Any] = {
                self.name: [
                    {"DeleteRequest": {"Key": to_wire(key)}}
                    for key in keys[start : start + BATCH_WRITE_LIMIT]
                ]
            }
            for attempt in range(_BATCH_ATTEMPTS):
                pending = CLIENT.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
                if not pending:
                    break
                _backoff(attempt)
            else:
                raise RuntimeError(f"BatchWriteItem on {self.name}: items still unprocessed after retries")


@dataclass(frozen=True)
class ItemRef:
    """One item by primary key: what a GetItem reads, or a member of :func:`get_items`."""

    table: Table
    key: Mapping[str, Any]


def get_items(refs: Sequence[ItemRef]) -> list[dict[str, Any] | None]:
    """Several items (of any tables) in one round trip, strongly consistent; None where absent.

    TransactGetItems, not BatchGetItem: it returns the items in request order with no
    unprocessed keys to resend, and IAM authorises each member as a ``dynamodb:GetItem`` on its
    table, so a function needs no permission beyond the GetItems it replaces. DynamoDB refuses
    it (TransactionCanceledException, reason ``TransactionConflict``) while a write to one of
    the items is in flight; plain consistent GetItems are then as good, one per item.
    """
    try:
        response = CLIENT.transact_get_items(
            TransactItems=[{"Get": {"TableName": ref.table.name, "Key": to_wire(ref.key)}} for ref in refs]
        )
    except ClientError as error:
        if error_code(error) != "TransactionCanceledException":
            raise
        return [ref.table.get_item(ref.key) for ref in refs]
    return [from_wire(r["Item"]) if r.get("Item") else None for r in response.get("Responses", [])]


def transact_write(items: Sequence[Mapping[str, Any]]) -> None:
    """TransactWriteItems; each member ``{"Put"|"Update"|"Delete"|"ConditionCheck": {...}}``."""
    CLIENT.transact_write_items(
        TransactItems=[{kind: wire_request(body) for kind, body in item.items()} for item in items]
    )


_SINGLE_WRITES = {"Put": "put_item", "Update": "update_item", "Delete": "delete_item"}


def write_one(member: Mapping[str, Any]) -> None:
    """A ``{"Put"|"Update"|"Delete": {...}}`` TransactWriteItems member, sent as that plain write."""
    ((kind, body),) = member.items()
    _write(getattr(CLIENT, _SINGLE_WRITES[kind]), body)


def write_together(members: Sequence[Mapping[str, Any]]) -> None:
    """Independent writes in one round trip (TransactWriteItems), for callers that only need them done.

    A transaction is refused while another request writes one of its items (reason
    ``TransactionConflict``, e.g. two sign-ins of one user at once); the writes then go one by
    one, in order, as they would have without the transaction. Any other cancellation (a
    condition failed) is raised as it is.
    """
    try:
        transact_write(members)
    except ClientError as error:
        if not is_transaction_conflict(error):
            raise
        for member in members:
            write_one(member)


def is_transaction_conflict(error: ClientError) -> bool:
    """A transaction cancelled only because another request was writing one of its items."""
    if error_code(error) != "TransactionCanceledException":
        return False
    codes = set(cancellation_codes(error))
    return "TransactionConflict" in codes and codes <= {"TransactionConflict", "None"}


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
    """Decimal -> int/float recursively (DynamoDB numbers deserialise as Decimal)."""
    if isinstance(item, dict):
        return {key: plain(value) for key, value in item.items()}
    if isinstance(item, list):
        return [plain(value) for value in item]
    if isinstance(item, Decimal):
        return int(item) if item == item.to_integral_value() else float(item)
    return item
