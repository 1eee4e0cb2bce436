"""What DynamoDB answers, and the data it leaves (issue groups 3 and 5)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.aws.dynamodb_conformance.helpers import rejected
from tests.emulator.aws.dynamodb_conformance.wire import DynamoDB

UPDATE_DOC = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html"


def _get(ddb: DynamoDB, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    return ddb.ok("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}).get("Item")


def test_remove_on_a_missing_item_creates_nothing(ddb: DynamoDB, simple: str, key: dict) -> None:
    """An UpdateItem that only removes attributes of an item that does not exist writes nothing."""
    ddb.ok("UpdateItem", {"TableName": simple, "Key": key, "UpdateExpression": "REMOVE a"})
    assert _get(ddb, simple, key) is None


def test_update_with_only_a_condition_is_answered(ddb: DynamoDB, simple: str, key: dict) -> None:
    """UpdateItem with a ConditionExpression and no UpdateExpression is a valid request (UPDATE_DOC:
    UpdateExpression is optional); its condition is evaluated."""
    answer = ddb.send(
        "UpdateItem", {"TableName": simple, "Key": key, "ConditionExpression": "attribute_exists(pk)"}
    )
    rejected(answer, "ConditionalCheckFailedException")
    ddb.ok("PutItem", {"TableName": simple, "Item": key})
    ddb.ok("UpdateItem", {"TableName": simple, "Key": key, "ConditionExpression": "attribute_exists(pk)"})


def test_updated_old_includes_a_value_rewritten_unchanged(ddb: DynamoDB, simple: str, key: dict) -> None:
    """UPDATED_OLD returns the updated attributes as they were, even when the new
    value is the same (UPDATE_DOC)."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "a": {"S": "same"}}})
    answer = ddb.ok(
        "UpdateItem",
        {
            "TableName": simple,
            "Key": key,
            "UpdateExpression": "SET a = :a",
            "ExpressionAttributeValues": {":a": {"S": "same"}},
            "ReturnValues": "UPDATED_OLD",
        },
    )
    assert answer["Attributes"] == {"a": {"S": "same"}}


@pytest.mark.parametrize("mode", ["ALL_NEW", "UPDATED_NEW", "ALL_OLD", "UPDATED_OLD"])
def test_no_attributes_when_the_update_leaves_no_item(
    ddb: DynamoDB, simple: str, key: dict, mode: str
) -> None:
    """ReturnValues returns nothing when there is no item before (OLD) or after
    (NEW) the update (UPDATE_DOC)."""
    answer = ddb.ok(
        "UpdateItem", {"TableName": simple, "Key": key, "UpdateExpression": "REMOVE a", "ReturnValues": mode}
    )
    assert "Attributes" not in answer


def test_updated_new_on_a_nested_path_returns_only_that_path(ddb: DynamoDB, simple: str, key: dict) -> None:
    """UPDATED_NEW returns the updated paths, nested as in the item, not whole
    top-level attributes (UPDATE_DOC)."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}}})
    answer = ddb.ok(
        "UpdateItem",
        {
            "TableName": simple,
            "Key": key,
            "UpdateExpression": "SET m.x = :v",
            "ExpressionAttributeValues": {":v": {"N": "3"}},
            "ReturnValues": "UPDATED_NEW",
        },
    )
    assert answer["Attributes"] == {"m": {"M": {"x": {"N": "3"}}}}


QUERY_DOC = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html"


@pytest.fixture
def partition(ddb: DynamoDB, sorted_table: str, key: dict) -> dict[str, Any]:
    """Five items in one partition of the sorted table: sk 1..5, ``even`` set on 2 and 4."""
    for n in range(1, 6):
        item = {**key, "sk": {"S": str(n)}, "data": {"S": f"d{n}"}, "other": {"N": str(n)}}
        if n % 2 == 0:
            item["even"] = {"BOOL": True}
        ddb.ok("PutItem", {"TableName": sorted_table, "Item": item})
    return key


def test_query_select_count_returns_no_items(ddb: DynamoDB, sorted_table: str, partition: dict) -> None:
    """``Select: COUNT`` returns the count and no items (QUERY_DOC, "Select")."""
    answer = ddb.ok(
        "Query",
        {
            "TableName": sorted_table,
            "KeyConditionExpression": "pk = :k",
            "ExpressionAttributeValues": {":k": partition["pk"]},
            "Select": "COUNT",
        },
    )
    assert answer["Count"] == 5
    assert "Items" not in answer


def test_query_projection_returns_only_the_named_attributes(
    ddb: DynamoDB, sorted_table: str, partition: dict
) -> None:
    """ProjectionExpression: only the named attributes come back (QUERY_DOC)."""
    answer = ddb.ok(
        "Query",
        {
            "TableName": sorted_table,
            "KeyConditionExpression": "pk = :k",
            "ExpressionAttributeValues": {":k": partition["pk"]},
            "ProjectionExpression": "#d",
            "ExpressionAttributeNames": {"#d": "data"},
        },
    )
    assert [set(item) for item in answer["Items"]] == [{"data"}] * 5


def test_scan_attributes_to_get_returns_only_those(ddb: DynamoDB, sorted_table: str, partition: dict) -> None:
    """Legacy AttributesToGet on Scan (API_Scan.html)."""
    answer = ddb.ok(
        "Scan",
        {
            "TableName": sorted_table,
            "AttributesToGet": ["other"],
            "ScanFilter": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [partition["pk"]]}},
        },
    )
    assert answer["Count"] == 5
    assert all(set(item) == {"other"} for item in answer["Items"])


def test_query_limit_counts_items_read_before_the_filter(
    ddb: DynamoDB, sorted_table: str, partition: dict
) -> None:
    """``Limit`` is the number of items evaluated, before FilterExpression; Count is after it,
    ScannedCount before (QUERY_DOC, "Limit", "Count", "ScannedCount")."""
    answer = ddb.ok(
        "Query",
        {
            "TableName": sorted_table,
            "KeyConditionExpression": "pk = :k",
            "FilterExpression": "attribute_exists(even)",
            "Limit": 3,
            "ExpressionAttributeValues": {":k": partition["pk"]},
        },
    )
    assert (answer["Count"], answer["ScannedCount"]) == (1, 3)
    assert answer["Items"][0]["sk"] == {"S": "2"}
    assert answer["LastEvaluatedKey"]["sk"] == {"S": "3"}


def test_key_condition_with_the_value_first_is_accepted(
    ddb: DynamoDB, sorted_table: str, partition: dict
) -> None:
    """A comparison may name the value first: ``:k = pk AND :s < sk`` ("Key condition expressions",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html)."""
    answer = ddb.ok(
        "Query",
        {
            "TableName": sorted_table,
            "KeyConditionExpression": ":k = pk AND :s < sk",
            "ExpressionAttributeValues": {":k": partition["pk"], ":s": {"S": "3"}},
        },
    )
    assert [item["sk"]["S"] for item in answer["Items"]] == ["4", "5"]


def test_consumed_capacity_only_when_asked(ddb: DynamoDB, simple: str, key: dict) -> None:
    """ConsumedCapacity is "returned only if the ReturnConsumedCapacity parameter was
    specified" (UPDATE_DOC)."""
    answer = ddb.ok(
        "UpdateItem",
        {
            "TableName": simple,
            "Key": key,
            "UpdateExpression": "SET a = :a",
            "ExpressionAttributeValues": {":a": {"S": "1"}},
        },
    )
    assert "ConsumedCapacity" not in answer


def test_eventually_consistent_read_costs_half_a_unit(ddb: DynamoDB, simple: str, key: dict) -> None:
    """A read of up to 4 KB costs 1 unit strongly consistent, 0.5 eventually consistent ("Read
    consistency" / "Capacity unit consumption",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html)."""
    ddb.ok("PutItem", {"TableName": simple, "Item": key})
    for consistent, units in ((False, 0.5), (True, 1.0)):
        answer = ddb.ok(
            "GetItem",
            {
                "TableName": simple,
                "Key": key,
                "ConsistentRead": consistent,
                "ReturnConsumedCapacity": "TOTAL",
            },
        )
        assert answer["ConsumedCapacity"]["CapacityUnits"] == units


def test_describe_table_has_table_id_and_index_arns(ddb: DynamoDB, indexed: str) -> None:
    """TableDescription has TableId; each index IndexArn, IndexSizeBytes, ItemCount
    (API_TableDescription.html, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html)."""
    table = ddb.ok("DescribeTable", {"TableName": indexed})["Table"]
    assert table["TableId"]
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexArn"] == f"{table['TableArn']}/index/by-g"
    assert {"IndexSizeBytes", "ItemCount"} <= set(index)


def test_delete_table_answers_deleting(ddb: DynamoDB) -> None:
    """DeleteTable returns the table in DELETING status (API_DeleteTable.html,
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html)."""
    import uuid

    name = ddb.create_table(f"conformance-{uuid.uuid4().hex[:8]}-gone", keys=[("pk", "S")])
    ddb.tables.remove(name)
    assert ddb.ok("DeleteTable", {"TableName": name})["TableDescription"]["TableStatus"] == "DELETING"


def test_missing_table_error_is_resource_not_found_exception(ddb: DynamoDB) -> None:
    """A table that does not exist is ResourceNotFoundException, also for DescribeTimeToLive, so
    that ``except client.exceptions.ResourceNotFoundException`` catches it (API_DescribeTimeToLive.html)."""
    with pytest.raises(ddb.client.exceptions.ResourceNotFoundException):
        ddb.client.describe_time_to_live(TableName="conformance-no-such-table")


def test_updated_new_on_a_list_element_returns_only_that_element(
    ddb: DynamoDB, simple: str, key: dict
) -> None:
    """UPDATED_NEW of ``SET l[1] = :v`` returns the list with just that element (UPDATE_DOC)."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "l": {"L": [{"N": "1"}, {"N": "2"}]}}})
    answer = ddb.ok(
        "UpdateItem",
        {
            "TableName": simple,
            "Key": key,
            "UpdateExpression": "SET l[1] = :v",
            "ExpressionAttributeValues": {":v": {"N": "3"}},
            "ReturnValues": "UPDATED_NEW",
        },
    )
    assert answer["Attributes"] == {"l": {"L": [{"N": "3"}]}}


def test_legacy_attribute_updates_keep_their_types(ddb: DynamoDB, simple: str, key: dict) -> None:
    """AttributeUpdates PUT stores the value as given: an empty binary stays binary, a boolean a
    boolean, NULL a null (API_AttributeValueUpdate.html,
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValueUpdate.html)."""
    values = {"b": {"B": ""}, "t": {"BOOL": True}, "n": {"NULL": True}, "bs": {"BS": ["AAE="]}}
    updates = {name: {"Action": "PUT", "Value": value} for name, value in values.items()}
    ddb.ok("UpdateItem", {"TableName": simple, "Key": key, "AttributeUpdates": updates})
    assert _get(ddb, simple, key) == {**key, **values}


def test_legacy_attribute_updates_add_and_delete(ddb: DynamoDB, simple: str, key: dict) -> None:
    """AttributeUpdates ADD adds to a number and appends to a list; DELETE without a value removes
    the attribute (API_AttributeValueUpdate.html)."""
    ddb.ok(
        "PutItem",
        {"TableName": simple, "Item": {**key, "n": {"N": "1"}, "l": {"L": [{"S": "a"}]}, "gone": {"S": "x"}}},
    )
    updates = {
        "n": {"Action": "ADD", "Value": {"N": "2"}},
        "l": {"Action": "ADD", "Value": {"L": [{"S": "b"}]}},
        "gone": {"Action": "DELETE"},
    }
    ddb.ok("UpdateItem", {"TableName": simple, "Key": key, "AttributeUpdates": updates})
    assert _get(ddb, simple, key) == {**key, "n": {"N": "3"}, "l": {"L": [{"S": "a"}, {"S": "b"}]}}


def test_item_just_under_400_kb_is_stored(ddb: DynamoDB, simple: str, key: dict) -> None:
    """An item is at most 400 KB = 409,600 bytes of attribute names and values ("Quotas", "Items",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html)."""
    item = {**key, "big": {"S": "x" * 409_000}}
    ddb.ok("PutItem", {"TableName": simple, "Item": item})
    assert _get(ddb, simple, key) == item


def test_write_capacity_is_one_unit_per_kilobyte(ddb: DynamoDB, simple: str, key: dict) -> None:
    """A write costs one unit per 1 KB (rounded up, at least one); an update, of the larger of the
    item before and after ("Capacity unit consumption for write operations",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html)."""
    total = {"ReturnConsumedCapacity": "TOTAL"}
    answer = ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "a": {"S": "x" * 1500}}, **total})
    assert answer["ConsumedCapacity"]["CapacityUnits"] == 2.0
    answer = ddb.ok("UpdateItem", {"TableName": simple, "Key": key, "UpdateExpression": "REMOVE a", **total})
    assert answer["ConsumedCapacity"]["CapacityUnits"] == 2.0
    answer = ddb.ok("DeleteItem", {"TableName": simple, "Key": key, **total})
    assert answer["ConsumedCapacity"]["CapacityUnits"] == 1.0
