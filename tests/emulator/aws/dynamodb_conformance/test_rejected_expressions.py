"""Expressions DynamoDB refuses (issue groups 1 and 4): each is a ValidationException naming
the problem, never an accepted write or an HTTP 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.aws.dynamodb_conformance.helpers import rejected
from tests.emulator.aws.dynamodb_conformance.wire import DynamoDB

EAV_DOC = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html"


def _unused_value_requests(simple: str, key: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    extra = {":unused": {"S": "x"}}
    return {
        "PutItem": (
            "PutItem",
            {
                "TableName": simple,
                "Item": key,
                "ExpressionAttributeValues": extra,
                "ConditionExpression": "attribute_not_exists(pk)",
            },
        ),
        "UpdateItem": (
            "UpdateItem",
            {
                "TableName": simple,
                "Key": key,
                "UpdateExpression": "SET a = :a",
                "ExpressionAttributeValues": {":a": {"S": "1"}, **extra},
            },
        ),
        "DeleteItem": (
            "DeleteItem",
            {
                "TableName": simple,
                "Key": key,
                "ConditionExpression": "attribute_exists(a)",
                "ExpressionAttributeValues": extra,
            },
        ),
        "Query": (
            "Query",
            {
                "TableName": simple,
                "KeyConditionExpression": "pk = :k",
                "ExpressionAttributeValues": {":k": key["pk"], **extra},
            },
        ),
        "Scan": (
            "Scan",
            {
                "TableName": simple,
                "FilterExpression": "attribute_exists(a)",
                "ExpressionAttributeValues": extra,
            },
        ),
        "TransactWriteItems": (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {
                        "ConditionCheck": {
                            "TableName": simple,
                            "Key": key,
                            "ConditionExpression": "attribute_not_exists(pk)",
                            "ExpressionAttributeValues": extra,
                        }
                    }
                ]
            },
        ),
    }


@pytest.mark.parametrize(
    "operation", ["PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "TransactWriteItems"]
)
def test_unused_expression_attribute_value_is_refused(
    ddb: DynamoDB, simple: str, key: dict, operation: str
) -> None:
    """Every ExpressionAttributeValues entry must be used by an expression (EAV_DOC; DynamoDB:
    "Value provided in ExpressionAttributeValues unused in expressions")."""
    target, body = _unused_value_requests(simple, key)[operation]
    rejected(ddb.send(target, body), "ValidationException", "unused in expressions", ":unused")
    assert "Item" not in ddb.ok("GetItem", {"TableName": simple, "Key": key, "ConsistentRead": True})


@pytest.mark.parametrize(
    "expression",
    [
        "a = = :v",
        "a = :v AND",
        "(a = :v",
        "a = :v)",
        "a BETWEEN :v",
        "a IN ()",
        "a.",
        "a[x] = :v",
        "a $ :v",
        "= :v",
    ],
)
def test_syntax_error_in_condition_is_a_validation_error(
    ddb: DynamoDB, simple: str, key: dict, expression: str
) -> None:
    """Expression grammar ("Condition and filter expressions, operators, and functions",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html):
    anything else is "Invalid ConditionExpression: Syntax error" (a ValidationException, not a 500)."""
    answer = ddb.send(
        "PutItem",
        {
            "TableName": simple,
            "Item": key,
            "ConditionExpression": expression,
            "ExpressionAttributeValues": {":v": {"S": "x"}},
        },
    )
    rejected(answer, "ValidationException", "Invalid ConditionExpression")


def test_deeply_nested_condition_is_a_validation_error(ddb: DynamoDB, simple: str, key: dict) -> None:
    """An expression is at most 4 KB ("Quotas", "Expression parameters",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html); one
    nested that deep is refused with a ValidationException, not an HTTP 500."""
    expression = "(" * 500 + "a = :v" + ")" * 500
    answer = ddb.send(
        "PutItem",
        {
            "TableName": simple,
            "Item": key,
            "ConditionExpression": expression,
            "ExpressionAttributeValues": {":v": {"S": "x"}},
        },
    )
    rejected(answer, "ValidationException")
