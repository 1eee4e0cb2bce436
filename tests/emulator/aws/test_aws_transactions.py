"""A cancelled TransactWriteItems leaves every item as it was (the endpoint's cheap rollback copies)."""

from __future__ import annotations

import pytest

from .helpers import create_table


def _failing_check(table: str, key: dict) -> dict:
    return {"ConditionCheck": {"TableName": table, "Key": key, "ConditionExpression": "attribute_exists(pk)"}}


def test_a_cancelled_transaction_undoes_its_puts_updates_and_deletes(dynamodb):
    table = create_table(dynamodb)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "b"}})

    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": {"S": "a"}},
                        "UpdateExpression": "ADD n :five",
                        "ExpressionAttributeValues": {":five": {"N": "5"}},
                    }
                },
                {"Put": {"TableName": table, "Item": {"pk": {"S": "c"}}}},
                {"Delete": {"TableName": table, "Key": {"pk": {"S": "b"}}}},
                _failing_check(table, {"pk": {"S": "missing"}}),
            ]
        )

    items = {i["pk"]["S"]: i for i in dynamodb.scan(TableName=table)["Items"]}
    assert sorted(items) == ["a", "b"]
    assert items["a"]["n"] == {"N": "1"}


def test_a_cancelled_transaction_on_a_range_key_table_is_undone(dynamodb):
    table = create_table(dynamodb, range_key=True)
    for sk in ("r1", "r2"):
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "h"}, "sk": {"S": sk}})

    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "h"}, "sk": {"S": "r3"}}}},
                {"Delete": {"TableName": table, "Key": {"pk": {"S": "h"}, "sk": {"S": "r1"}}}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": {"S": "h"}, "sk": {"S": "r2"}},
                        "UpdateExpression": "SET x = :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                _failing_check(table, {"pk": {"S": "other"}, "sk": {"S": "r9"}}),
            ]
        )

    items = dynamodb.scan(TableName=table)["Items"]
    assert sorted((i["pk"]["S"], i["sk"]["S"]) for i in items) == [("h", "r1"), ("h", "r2")]
    assert all("x" not in i for i in items)


def test_a_successful_transaction_applies_everything(dynamodb):
    table = create_table(dynamodb)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "1"}})

    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": {"S": "a"}},
                    "UpdateExpression": "ADD n :five",
                    "ExpressionAttributeValues": {":five": {"N": "5"}},
                }
            },
            {"Put": {"TableName": table, "Item": {"pk": {"S": "c"}}}},
        ]
    )

    items = {i["pk"]["S"]: i for i in dynamodb.scan(TableName=table)["Items"]}
    assert sorted(items) == ["a", "c"]
    assert items["a"]["n"] == {"N": "6"}
