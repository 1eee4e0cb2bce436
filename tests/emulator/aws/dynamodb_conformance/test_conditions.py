"""Conditions evaluated as DynamoDB evaluates them (issue group 2).

"Comparison operator and function reference"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.aws.dynamodb_conformance.helpers import rejected
from tests.emulator.aws.dynamodb_conformance.wire import Answer, DynamoDB

FAILED = "ConditionalCheckFailedException"


def _put_if(
    ddb: DynamoDB, table: str, item: dict[str, Any], condition: str, values: dict | None = None
) -> Answer:
    body: dict[str, Any] = {"TableName": table, "Item": item, "ConditionExpression": condition}
    if values:
        body["ExpressionAttributeValues"] = values
    return ddb.send("PutItem", body)


def test_comparison_of_two_missing_attributes_is_false(ddb: DynamoDB, simple: str, key: dict) -> None:
    """A comparison is true only between values that exist: ``q = z`` with neither set is false."""
    ddb.ok("PutItem", {"TableName": simple, "Item": key})
    rejected(_put_if(ddb, simple, key, "q = z"), FAILED)


def test_comparison_of_a_string_with_a_number_is_false(ddb: DynamoDB, simple: str, key: dict) -> None:
    """Values of different types do not compare: ``a < :v`` (string vs number) is false, not an error."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "a": {"S": "text"}}})
    rejected(_put_if(ddb, simple, key, "a < :v", {":v": {"N": "1"}}), FAILED)


def test_not_equal_to_a_missing_attribute_is_true(ddb: DynamoDB, simple: str, key: dict) -> None:
    """``a <> :v`` holds when ``a`` is not set (it is not equal to the value)."""
    ddb.ok("PutItem", {"TableName": simple, "Item": key})
    assert _put_if(ddb, simple, key, "a <> :v", {":v": {"S": "x"}}).status == 200


def test_numbers_compare_by_value(ddb: DynamoDB, simple: str, key: dict) -> None:
    """Numbers compare by value ("Number" in "Supported data types"): 10 > 9, 1.0 = 1."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "n": {"N": "10"}}})
    assert _put_if(ddb, simple, {**key, "n": {"N": "1.0"}}, "n > :nine", {":nine": {"N": "9"}}).status == 200
    assert _put_if(ddb, simple, key, "n = :one", {":one": {"N": "1"}}).status == 200


def test_begins_with_on_a_missing_attribute_is_false(ddb: DynamoDB, simple: str, key: dict) -> None:
    """``begins_with(path, substr)`` is true only for a string (or binary) attribute with that prefix."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "n": {"N": "12"}}})
    rejected(_put_if(ddb, simple, key, "begins_with(a, :p)", {":p": {"S": "x"}}), FAILED)
    rejected(_put_if(ddb, simple, key, "begins_with(n, :p)", {":p": {"S": "1"}}), FAILED)


def test_contains_on_sets_lists_and_strings(ddb: DynamoDB, simple: str, key: dict) -> None:
    """``contains(path, operand)``: a substring of a string, a member of a set, an element of a list."""
    item = {**key, "s": {"S": "hello"}, "ss": {"SS": ["a", "b"]}, "l": {"L": [{"N": "1"}]}}
    ddb.ok("PutItem", {"TableName": simple, "Item": item})
    values = {":sub": {"S": "ell"}, ":m": {"S": "b"}, ":e": {"N": "1"}}
    assert (
        _put_if(
            ddb, simple, item, "contains(s, :sub) AND contains(ss, :m) AND contains(l, :e)", values
        ).status
        == 200
    )


def test_size_of_a_missing_attribute_makes_the_comparison_false(
    ddb: DynamoDB, simple: str, key: dict
) -> None:
    """``size(path)`` of an attribute that does not exist has no value: the comparison is false."""
    ddb.ok("PutItem", {"TableName": simple, "Item": key})
    rejected(_put_if(ddb, simple, key, "size(a) >= :zero", {":zero": {"N": "0"}}), FAILED)


def test_failed_condition_returns_the_item_when_asked(ddb: DynamoDB, simple: str, key: dict) -> None:
    """ReturnValuesOnConditionCheckFailure ALL_OLD puts the item in the error (API_PutItem.html)."""
    item = {**key, "a": {"S": "x"}}
    ddb.ok("PutItem", {"TableName": simple, "Item": item})
    answer = ddb.send(
        "PutItem",
        {
            "TableName": simple,
            "Item": key,
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    )
    rejected(answer, FAILED)
    assert answer.body["Item"] == item


LEGACY_DOC = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExpectedAttributeValue.html"


@pytest.mark.parametrize("operation", ["PutItem", "UpdateItem", "DeleteItem"])
def test_legacy_expected_value_is_enforced(ddb: DynamoDB, simple: str, key: dict, operation: str) -> None:
    """``Expected: {a: {Value: v}}`` requires ``a`` to equal ``v`` (LEGACY_DOC, "Value")."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "a": {"S": "old"}}})
    expected = {"a": {"Value": {"S": "other"}}}
    body: dict[str, Any] = {"TableName": simple, "Expected": expected}
    body.update({"Item": key} if operation == "PutItem" else {"Key": key})
    rejected(ddb.send(operation, body), FAILED)
    body["Expected"] = {"a": {"Exists": True, "Value": {"S": "other"}}}
    rejected(ddb.send(operation, body), FAILED)


def test_legacy_comparison_operator_is_enforced(ddb: DynamoDB, simple: str, key: dict) -> None:
    """``ComparisonOperator`` with ``AttributeValueList`` (LEGACY_DOC, "ComparisonOperator")."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "n": {"N": "5"}}})
    expected = {"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "7"}]}}
    rejected(ddb.send("DeleteItem", {"TableName": simple, "Key": key, "Expected": expected}), FAILED)


def test_legacy_conditional_operator_or(ddb: DynamoDB, simple: str, key: dict) -> None:
    """``ConditionalOperator: OR`` needs one of the conditions ("Legacy conditional parameters",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html)."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "a": {"S": "x"}}})
    expected = {"a": {"Value": {"S": "x"}}, "b": {"Value": {"S": "y"}}}
    answer = ddb.send(
        "DeleteItem", {"TableName": simple, "Key": key, "Expected": expected, "ConditionalOperator": "OR"}
    )
    assert answer.status == 200, answer.body


def test_transaction_cancellation_reasons(ddb: DynamoDB, simple: str, key: dict) -> None:
    """A failed condition cancels the transaction with one reason per action, in order
    (API_TransactWriteItems.html, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html)."""
    ddb.ok("PutItem", {"TableName": simple, "Item": key})
    other = {"pk": {"S": key["pk"]["S"] + "-other"}}
    answer = ddb.send(
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": simple, "Item": other}},
                {"ConditionCheck": {"TableName": simple, "Key": key, "ConditionExpression": "q = z"}},
            ]
        },
    )
    rejected(answer, "TransactionCanceledException")
    assert [r["Code"] for r in answer.body["CancellationReasons"]] == ["None", "ConditionalCheckFailed"]
    assert "Item" not in ddb.ok("GetItem", {"TableName": simple, "Key": other, "ConsistentRead": True})


def test_transaction_with_one_item_twice_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """ "You can't target the same item with multiple operations within the same transaction" (same page)."""
    answer = ddb.send(
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": simple, "Item": key}},
                {
                    "ConditionCheck": {
                        "TableName": simple,
                        "Key": key,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        },
    )
    rejected(answer, "ValidationException", "multiple operations on one item")


def test_transaction_remove_on_a_missing_item_creates_nothing(ddb: DynamoDB, simple: str, key: dict) -> None:
    """As UpdateItem alone: an Update that only removes attributes of a missing item writes nothing
    (API_TransactWriteItems.html, "Update")."""
    ddb.ok(
        "TransactWriteItems",
        {"TransactItems": [{"Update": {"TableName": simple, "Key": key, "UpdateExpression": "REMOVE a"}}]},
    )
    assert "Item" not in ddb.ok("GetItem", {"TableName": simple, "Key": key, "ConsistentRead": True})
