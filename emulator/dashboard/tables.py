"""The template's DynamoDB tables as the dashboard browses them, through boto3 on the DynamoDB
endpoint the functions use (the embedded one, or ``--dynamodb-endpoint``): the same calls work on
DynamoDB Local, LocalStack or AWS. Nothing here reaches into moto.

- :meth:`TableBrowser.describe`: key schema, indexes with their keys, TTL, and an item count made
  by a ``Scan`` with ``Select=COUNT`` stopped at :data:`COUNT_CAP` ("more than N" past it).
  DescribeTable's ``ItemCount`` is shown beside it but not trusted: AWS refreshes it about every
  six hours (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html).
- :meth:`TableBrowser.items`: a page of a ``Scan``, or of a ``Query`` by partition key (and an
  optional sort-key condition, ``=`` or ``begins_with``) on the table or one of its indexes;
  ``LastEvaluatedKey`` travels as an opaque cursor.
- One item by its key: get, put (a replacement of the whole item), delete. A put whose item has
  another key than the one edited is refused (:class:`KeyChanged`): DynamoDB cannot change a key in
  place, and a delete then a put is not one step, so the page says how to do it instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from emulator.aws.provisioning import TABLE_TYPES, table_request
from emulator.dashboard.item_json import ItemError, encode_cursor, scalar
from emulator.template.model import SamApp

COUNT_CAP = 1000  # items a count scans before it says "at least"
MAX_LIMIT = 500
SORT_CONDITIONS = ("eq", "begins_with")


class TableNotFound(LookupError):
    """Not one of the template's tables, or not on the endpoint."""


class ItemNotFound(LookupError):
    """No item has that key."""


class KeyChanged(ValueError):
    """The item put has another key than the item edited."""


class DynamoDbRejected(Exception):
    """DynamoDB said no (``ValidationException``...): its message, for a 400."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class KeyAttribute:
    name: str
    type: str  # S, N or B

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type}


@dataclass(frozen=True)
class Keys:
    partition: KeyAttribute
    sort: KeyAttribute | None

    @property
    def attributes(self) -> list[KeyAttribute]:
        return [self.partition] if self.sort is None else [self.partition, self.sort]

    def as_json(self) -> dict[str, Any]:
        return {
            "partitionKey": self.partition.as_json(),
            "sortKey": self.sort.as_json() if self.sort else None,
        }


@dataclass(frozen=True)
class ItemQuery:
    """A query of a page: by partition key when ``partition`` is given, else a scan (of ``index``)."""

    index: str = ""
    partition: str = ""
    sort_condition: str = ""  # "", "eq" or "begins_with"
    sort: str = ""

    @property
    def by_key(self) -> bool:
        return self.partition != ""


@dataclass(frozen=True)
class TableShape:
    name: str
    keys: Keys
    indexes: dict[str, tuple[str, Keys]]  # name -> ("global" | "local", its keys)

    def keys_of(self, index: str) -> Keys:
        if not index:
            return self.keys
        if index not in self.indexes:
            known = ", ".join(self.indexes) or "none"
            raise ItemError(f"table {self.name} has no index {index!r} (its indexes: {known})")
        return self.indexes[index][1]

    def key_of(self, item: dict[str, Any], what: str = "item") -> dict[str, Any]:
        """The item's key attributes, each of its declared type (an :class:`ItemError` if not)."""
        key = {}
        for attribute in self.keys.attributes:
            value = item.get(attribute.name)
            if value is None:
                raise ItemError(f"the {what} lacks its key attribute {attribute.name!r}")
            if next(iter(value)) != attribute.type:
                raise ItemError(f"key attribute {attribute.name!r} must be of type {attribute.type}")
            key[attribute.name] = value
        return key

    def check_key(self, key: dict[str, Any]) -> dict[str, Any]:
        extra = sorted(set(key) - {attribute.name for attribute in self.keys.attributes})
        if extra:
            raise ItemError(f"not key attributes of table {self.name}: {', '.join(extra)}")
        return self.key_of(key, "key")


class TableBrowser:
    """``dynamodb``: makes the boto3 client (once, when first needed: after serve has started);
    ``table_names``: the template's tables."""

    def __init__(self, dynamodb: Callable[[], Any], table_names: Callable[[], list[str]]) -> None:
        self._make_client = dynamodb
        self._table_names = table_names
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def table_names(self) -> list[str]:
        return self._table_names()

    def _dynamodb(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    # -- tables ------------------------------------------------------------------------------------
    def shape(self, name: str) -> TableShape:
        return _shape(self._describe_table(name))

    def describe(self, name: str) -> dict[str, Any]:
        """The table's schema, TTL and item count, as JSON."""
        table = self._describe_table(name)
        shape = _shape(table)
        indexes = [
            {"name": index, "kind": kind, **keys.as_json()} for index, (kind, keys) in shape.indexes.items()
        ]
        return {
            "name": name,
            "status": table.get("TableStatus"),
            **shape.keys.as_json(),
            "globalIndexes": [index for index in indexes if index["kind"] == "global"],
            "localIndexes": [index for index in indexes if index["kind"] == "local"],
            "ttl": self._ttl(name),
            "itemCount": {**self._count(name), "describeTable": table.get("ItemCount")},
        }

    def _describe_table(self, name: str) -> dict[str, Any]:
        if name not in self.table_names:
            raise TableNotFound(f"{name} is not one of the template's tables")
        with self._errors(name):
            return self._dynamodb().describe_table(TableName=name)["Table"]

    def _ttl(self, name: str) -> dict[str, Any]:
        with self._errors(name):
            described = self._dynamodb().describe_time_to_live(TableName=name)
        ttl = described.get("TimeToLiveDescription", {})
        return {"attribute": ttl.get("AttributeName"), "status": ttl.get("TimeToLiveStatus", "DISABLED")}

    def _count(self, name: str) -> dict[str, Any]:
        """Items counted by Scan (Select=COUNT), up to :data:`COUNT_CAP`: exact below it."""
        counted, start = 0, None
        while True:
            request: dict[str, Any] = {"TableName": name, "Select": "COUNT", "Limit": COUNT_CAP + 1 - counted}
            if start is not None:
                request["ExclusiveStartKey"] = start
            with self._errors(name):
                page = self._dynamodb().scan(**request)
            counted += page["Count"]
            start = page.get("LastEvaluatedKey")
            if start is None or counted > COUNT_CAP:
                break
        # Past the cap: "more than COUNT_CAP" (the scan stopped after one more).
        return {"count": min(counted, COUNT_CAP), "moreThan": counted > COUNT_CAP, "cap": COUNT_CAP}

    # -- items -------------------------------------------------------------------------------------
    def items(
        self, name: str, *, limit: int, cursor: dict[str, Any] | None, query: ItemQuery
    ) -> dict[str, Any]:
        """A page of items (boto3's form) and the cursor of the next one (None: the last page)."""
        shape = self.shape(name)
        keys = shape.keys_of(query.index)
        request: dict[str, Any] = {"TableName": name, "Limit": limit}
        if query.index:
            request["IndexName"] = query.index
        if cursor is not None:
            request["ExclusiveStartKey"] = cursor
        if query.sort_condition and not query.by_key:
            raise ItemError("a sort-key condition needs a partition key value")
        if query.by_key:
            request.update(_key_condition(keys, query))
        with self._errors(name):
            page = self._dynamodb().query(**request) if query.by_key else self._dynamodb().scan(**request)
        return {
            "items": page.get("Items", []),
            "cursor": encode_cursor(page.get("LastEvaluatedKey")),
            "keys": shape.keys,
            "indexKeys": keys,
        }

    def get_item(self, name: str, key: dict[str, Any]) -> dict[str, Any]:
        checked = self.shape(name).check_key(key)
        with self._errors(name):
            item = self._dynamodb().get_item(TableName=name, Key=checked, ConsistentRead=True).get("Item")
        if item is None:
            raise ItemNotFound("no item has that key")
        return item

    def put_item(
        self, name: str, item: dict[str, Any], *, edited_key: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Put (create or replace) ``item``; its key, which must be ``edited_key``'s when given."""
        shape = self.shape(name)
        key = shape.key_of(item)
        if edited_key is not None and not _same_key(shape.check_key(edited_key), key):
            raise KeyChanged(
                "the item's key differs from the key of the item edited: a key cannot be changed in place; "
                "save the item as a new item (Add item), then delete the old one"
            )
        with self._errors(name):
            self._dynamodb().put_item(TableName=name, Item=item)
        return key

    def delete_item(self, name: str, key: dict[str, Any]) -> None:
        checked = self.shape(name).check_key(key)
        with self._errors(name):
            old = self._dynamodb().delete_item(TableName=name, Key=checked, ReturnValues="ALL_OLD")
        if not old.get("Attributes"):
            raise ItemNotFound("no item has that key (nothing was deleted)")

    @contextmanager
    def _errors(self, name: str) -> Iterator[None]:
        """boto3's errors as this module's (messages of our own, but DynamoDB's ValidationException's)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            if code == "ResourceNotFoundException":
                raise TableNotFound(f"table {name} is not on the DynamoDB endpoint") from None
            if code == "ValidationException":
                raise DynamoDbRejected(400, "validation_error", str(error.get("Message", ""))) from None
            raise DynamoDbRejected(502, "dynamodb_error", f"the DynamoDB endpoint answered {code}") from None
        except BotoCoreError:
            raise DynamoDbRejected(
                503, "dynamodb_unavailable", "the DynamoDB endpoint did not answer"
            ) from None


def _key_condition(keys: Keys, query: ItemQuery) -> dict[str, Any]:
    """A Query's KeyConditionExpression (names and values as placeholders)."""
    names = {"#pk": keys.partition.name}
    values = {":pk": scalar(query.partition, keys.partition.type, keys.partition.name)}
    condition = "#pk = :pk"
    if query.sort_condition:
        if query.sort_condition not in SORT_CONDITIONS:
            raise ItemError(f"sort condition must be one of {', '.join(SORT_CONDITIONS)}")
        if keys.sort is None:
            raise ItemError("a sort-key condition needs a sort key: this table or index has none")
        names["#sk"] = keys.sort.name
        values[":sk"] = scalar(query.sort, keys.sort.type, keys.sort.name)
        condition += " AND #sk = :sk" if query.sort_condition == "eq" else " AND begins_with(#sk, :sk)"
    return {
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def _shape(table: dict[str, Any]) -> TableShape:
    types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}

    def keys(schema: list[dict[str, str]]) -> Keys:
        by_role = {
            k["KeyType"]: KeyAttribute(k["AttributeName"], types.get(k["AttributeName"], "S")) for k in schema
        }
        return Keys(by_role["HASH"], by_role.get("RANGE"))

    indexes = {
        index["IndexName"]: (kind, keys(index["KeySchema"]))
        for kind, field in (("global", "GlobalSecondaryIndexes"), ("local", "LocalSecondaryIndexes"))
        for index in table.get(field, [])
    }
    return TableShape(table["TableName"], keys(table["KeySchema"]), indexes)


def _same_key(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal keys (numbers compared as numbers: "1" and "1.0" are one key)."""

    def normal(value: dict[str, Any]) -> Any:
        [(tag, inner)] = value.items()
        return (tag, Decimal(inner)) if tag == "N" else (tag, inner)

    return a.keys() == b.keys() and all(normal(a[name]) == normal(b[name]) for name in a)


def template_table_names(app: SamApp | None) -> list[str]:
    """The DynamoDB tables ``app`` declares, by their names on the endpoint (none before it loaded)."""
    if app is None:
        return []
    return [table_request(spec)["TableName"] for spec in app.resources_of_type(*TABLE_TYPES)]
