"""DynamoDB in the portable state document: each table's CreateTable request, TTL, point-in-time
recovery and items (in DynamoDB JSON). See :mod:`.portable_state`."""

from __future__ import annotations

from typing import Any

from emulator.aws.portable_backends import Api, StateError, backend, iter_backends, warn_not_kept


def dynamodb_tables() -> list[tuple[str, str, Any]]:
    """(account id, region, moto Table) for every table that exists, for the TTL sweeper."""
    return [
        (account, region, table)
        for account, region, dynamodb in iter_backends("dynamodb")
        for table in list(dynamodb.tables.values())
    ]


def capture_tables() -> list[dict[str, Any]]:
    tables = []
    for account, region, dynamodb in iter_backends("dynamodb"):
        for what in ("backups", "table_imports", "table_exports", "resource_policies"):
            if getattr(dynamodb, what, None):
                warn_not_kept(f"DynamoDB {what.replace('_', ' ')}")
        for table in list(dynamodb.tables.values()):
            tables.append(
                {
                    "account": account,
                    "region": region,
                    "definition": _table_definition(table),
                    "timeToLive": _time_to_live(table),
                    "pointInTimeRecovery": _point_in_time_recovery(table),
                    "items": [item.to_json()["Attributes"] for item in table.all_items()],
                }
            )
    return tables


def _table_definition(table: Any) -> dict[str, Any]:
    """The CreateTable request that makes this table again."""
    provisioned = (table.billing_mode or "PROVISIONED") == "PROVISIONED"
    definition: dict[str, Any] = {
        "TableName": table.name,
        "KeySchema": table.schema,
        "AttributeDefinitions": table.attr,
        "BillingMode": "PROVISIONED" if provisioned else "PAY_PER_REQUEST",
    }
    if provisioned:
        definition["ProvisionedThroughput"] = _throughput(table.throughput)
    if table.global_indexes:
        definition["GlobalSecondaryIndexes"] = [
            {"IndexName": i.name, "KeySchema": i.schema, "Projection": i.projection}
            | ({"ProvisionedThroughput": _throughput(i.throughput)} if provisioned else {})
            for i in table.global_indexes
        ]
    if table.indexes:
        definition["LocalSecondaryIndexes"] = [
            {"IndexName": i.name, "KeySchema": i.schema, "Projection": i.projection} for i in table.indexes
        ]
    stream = table.stream_specification
    if stream and stream.get("StreamEnabled"):
        definition["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream.get("StreamViewType", "NEW_AND_OLD_IMAGES"),
        }
    sse = table.sse_specification
    if sse and sse.get("Enabled"):
        definition["SSESpecification"] = {
            k: v for k, v in sse.items() if k in ("Enabled", "SSEType", "KMSMasterKeyId")
        }
    if table.deletion_protection_enabled:
        definition["DeletionProtectionEnabled"] = True
    if table.tags:
        definition["Tags"] = table.tags
    return definition


def _throughput(value: dict[str, Any]) -> dict[str, int]:
    return {
        "ReadCapacityUnits": max(1, int(value.get("ReadCapacityUnits") or 1)),
        "WriteCapacityUnits": max(1, int(value.get("WriteCapacityUnits") or 1)),
    }


def _time_to_live(table: Any) -> dict[str, str] | None:
    ttl = table.ttl or {}
    if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and ttl.get("AttributeName"):
        return {"AttributeName": ttl["AttributeName"]}
    return None


def _point_in_time_recovery(table: Any) -> bool:
    description = (table.continuous_backups or {}).get("PointInTimeRecoveryDescription") or {}
    return description.get("PointInTimeRecoveryStatus") == "ENABLED"


def restore_tables(tables: list[dict[str, Any]], api: Api, *, validate: bool) -> None:
    for number, table in enumerate(tables, 1):
        try:
            account, region, definition = table["account"], table["region"], table["definition"]
            name = definition["TableName"]
        except (KeyError, TypeError):
            raise StateError(
                f"dynamodb table {number}: needs account, region and definition.TableName"
            ) from None
        api.json("dynamodb", "CreateTable", definition, account, region)
        ttl = table.get("timeToLive")
        if ttl:
            specification = {"AttributeName": ttl["AttributeName"], "Enabled": True}
            api.json(
                "dynamodb",
                "UpdateTimeToLive",
                {"TableName": name, "TimeToLiveSpecification": specification},
                account,
                region,
            )
        if table.get("pointInTimeRecovery"):
            recovery = {"PointInTimeRecoveryEnabled": True}
            api.json(
                "dynamodb",
                "UpdateContinuousBackups",
                {"TableName": name, "PointInTimeRecoverySpecification": recovery},
                account,
                region,
            )
        items = table.get("items") or []
        if validate:
            for start in range(0, len(items), 25):
                puts = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
                try:
                    api.json("dynamodb", "BatchWriteItem", {"RequestItems": {name: puts}}, account, region)
                except StateError as exc:
                    raise StateError(f"table {name}, items {start + 1}-{start + len(puts)}: {exc}") from None
        else:
            _put_items(backend("dynamodb", account, region).get_table(name), items)


def _put_items(table: Any, items: list[dict[str, Any]]) -> None:
    """Items this code captured (so already valid) straight into their table: moto's own put
    re-sums the item's size on every attribute, which made a 10,000-item restore take seconds."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    hash_name, range_name = table.hash_key_attr, table.range_key_attr
    for attributes in items:
        item = Item(DynamoType(attributes[hash_name]), None, {})
        if range_name is not None:
            item.range_key = DynamoType(attributes[range_name])
        dict.update(item.attrs, {name: DynamoType(value) for name, value in attributes.items()})
        if range_name is None:
            table.items[item.hash_key] = item
        else:
            table.items[item.hash_key][item.range_key] = item
