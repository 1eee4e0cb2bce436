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


def test_unused_expression_attribute_name_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """Every ExpressionAttributeNames entry must be used ("Expression attribute names in DynamoDB",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html)."""
    answer = ddb.send(
        "UpdateItem",
        {
            "TableName": simple,
            "Key": key,
            "UpdateExpression": "SET #a = :a",
            "ExpressionAttributeNames": {"#a": "a", "#b": "b"},
            "ExpressionAttributeValues": {":a": {"S": "1"}},
        },
    )
    rejected(answer, "ValidationException", "unused in expressions", "#b")


def test_undefined_placeholder_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """A ``:value`` used but not defined is refused (EAV_DOC)."""
    answer = ddb.send("PutItem", {"TableName": simple, "Item": key, "ConditionExpression": "a = :nothing"})
    rejected(answer, "ValidationException", "Invalid ConditionExpression", ":nothing")


def test_reserved_word_as_attribute_name_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """Reserved words cannot name attributes in an expression ("Reserved words in DynamoDB",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html)."""
    answer = ddb.send(
        "UpdateItem",
        {
            "TableName": simple,
            "Key": key,
            "UpdateExpression": "SET name = :n",
            "ExpressionAttributeValues": {":n": {"S": "x"}},
        },
    )
    rejected(answer, "ValidationException", "reserved keyword", "name")


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


def test_unknown_function_is_a_validation_error(ddb: DynamoDB, simple: str, key: dict) -> None:
    """Only the documented functions exist (Expressions.OperatorsAndFunctions.html, "Functions")."""
    answer = ddb.send(
        "PutItem", {"TableName": simple, "Item": key, "ConditionExpression": "no_such_function(a)"}
    )
    rejected(answer, "ValidationException", "Invalid function name", "no_such_function")


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


def test_update_expression_with_a_section_twice_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """Each of SET, REMOVE, ADD, DELETE appears at most once ("Update expressions",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html)."""
    answer = ddb.send(
        "UpdateItem",
        {
            "TableName": simple,
            "Key": key,
            "UpdateExpression": "SET a = :v SET b = :v",
            "ExpressionAttributeValues": {":v": {"S": "x"}},
        },
    )
    rejected(answer, "ValidationException", "Invalid UpdateExpression")


def test_overlapping_update_paths_are_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """Two actions on one path, or on a path and its parent, are refused
    (Expressions.UpdateExpressions.html)."""
    answer = ddb.send(
        "UpdateItem",
        {
            "TableName": simple,
            "Key": key,
            "UpdateExpression": "SET a = :v REMOVE a",
            "ExpressionAttributeValues": {":v": {"S": "x"}},
        },
    )
    rejected(answer, "ValidationException", "overlap")


def test_attribute_type_with_an_unknown_type_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """``attribute_type(path, type)`` takes one of S, SS, N, NS, B, BS, BOOL, NULL, L, M
    (Expressions.OperatorsAndFunctions.html)."""
    answer = ddb.send(
        "PutItem",
        {
            "TableName": simple,
            "Item": key,
            "ConditionExpression": "attribute_type(a, :t)",
            "ExpressionAttributeValues": {":t": {"S": "STRING"}},
        },
    )
    rejected(answer, "ValidationException", "Invalid attribute type name")
