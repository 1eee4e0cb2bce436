"""One case per further documented rule: the request, the error DynamoDB answers, a fragment of
its message, and the page that states the rule. Each case's id names the behaviour."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from tests.emulator.aws.dynamodb_conformance.helpers import rejected
from tests.emulator.aws.dynamodb_conformance.wire import DynamoDB

GUIDE = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
API = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/"
V = "ValidationException"


class Case(NamedTuple):
    operation: str
    body: Callable[[dict[str, str], dict[str, Any]], dict[str, Any]]  # (tables, key) -> body
    error: str
    fragment: str
    doc: str


def _put(condition: str, values: dict | None = None, names: dict | None = None) -> Callable[..., dict]:
    def body(t: dict[str, str], key: dict[str, Any]) -> dict[str, Any]:
        request: dict[str, Any] = {"TableName": t["simple"], "Item": key, "ConditionExpression": condition}
        if values is not None:
            request["ExpressionAttributeValues"] = values
        if names is not None:
            request["ExpressionAttributeNames"] = names
        return request

    return body


def _update(expression: str, values: dict | None = None) -> Callable[..., dict]:
    def body(t: dict[str, str], key: dict[str, Any]) -> dict[str, Any]:
        request: dict[str, Any] = {"TableName": t["simple"], "Key": key, "UpdateExpression": expression}
        if values is not None:
            request["ExpressionAttributeValues"] = values
        return request

    return body


def _query(condition: str, values: dict, **extra: Any) -> Callable[..., dict]:
    def body(t: dict[str, str], key: dict[str, Any]) -> dict[str, Any]:
        return {"TableName": t["sorted"], "KeyConditionExpression": condition,
                "ExpressionAttributeValues": values, **extra}  # fmt: skip

    return body


S = {"S": "x"}
CASES = {
    "unused expression attribute name": Case(
        "UpdateItem",
        lambda t, k: {
            "TableName": t["simple"],
            "Key": k,
            "UpdateExpression": "SET #a = :a",
            "ExpressionAttributeNames": {"#a": "a", "#b": "b"},
            "ExpressionAttributeValues": {":a": S},
        },
        V,
        "#b",
        GUIDE + "Expressions.ExpressionAttributeNames.html",
    ),
    "undefined expression attribute value": Case(
        "PutItem", _put("a = :nothing"), V, ":nothing", GUIDE + "Expressions.ExpressionAttributeValues.html"
    ),
    "reserved word as an attribute name": Case(
        "UpdateItem",
        _update("SET name = :n", values={":n": S}),
        V,
        "reserved keyword",
        GUIDE + "ReservedWords.html",
    ),
    "unknown function": Case(
        "PutItem",
        _put("no_such_function(a)"),
        V,
        "Invalid function name",
        GUIDE + "Expressions.OperatorsAndFunctions.html",
    ),
    "update expression with a section twice": Case(
        "UpdateItem",
        _update("SET a = :v SET b = :v", values={":v": S}),
        V,
        "Invalid UpdateExpression",
        GUIDE + "Expressions.UpdateExpressions.html",
    ),
    "overlapping update paths": Case(
        "UpdateItem",
        _update("SET a = :v REMOVE a", values={":v": S}),
        V,
        "overlap",
        GUIDE + "Expressions.UpdateExpressions.html",
    ),
    "attribute_type with an unknown type": Case(
        "PutItem",
        _put("attribute_type(a, :t)", values={":t": {"S": "STRING"}}),
        V,
        "Invalid attribute type name",
        GUIDE + "Expressions.OperatorsAndFunctions.html",
    ),
    "table name shorter than 3 characters": Case(
        "GetItem", lambda t, k: {"TableName": "ab", "Key": k}, V, "tableName", API + "API_GetItem.html"
    ),
    "Limit below 1": Case(
        "Scan", lambda t, k: {"TableName": t["simple"], "Limit": 0}, V, "limit", API + "API_Scan.html"
    ),
    "NULL value that is not true": Case(
        "PutItem",
        lambda t, k: {"TableName": t["simple"], "Item": {**k, "n": {"NULL": False}}},
        V,
        "Null",
        API + "API_AttributeValue.html",
    ),
    "nesting deeper than 32 levels": Case(
        "PutItem",
        lambda t, k: {"TableName": t["simple"], "Item": {**k, "m": _nested(33)}},
        V,
        "Nesting",
        GUIDE + "ServiceQuotas.html",
    ),
    "document path deeper than 32 levels": Case(
        "PutItem",
        _put("attribute_exists(" + ".".join(["a"] * 33) + ")"),
        V,
        "nesting levels",
        GUIDE + "ServiceQuotas.html",
    ),
    "undefined attribute name placeholder": Case(
        "PutItem",
        _put("attribute_exists(#missing)"),
        V,
        "#missing",
        GUIDE + "Expressions.ExpressionAttributeNames.html",
    ),
    "ExpressionAttributeNames without an expression": Case(
        "PutItem",
        lambda t, k: {"TableName": t["simple"], "Item": k, "ExpressionAttributeNames": {"#a": "a"}},
        V,
        "ExpressionAttributeNames can only be specified when using expressions",
        GUIDE + "Expressions.ExpressionAttributeNames.html",
    ),
    "ExpressionAttributeValues without an expression": Case(
        "PutItem",
        lambda t, k: {"TableName": t["simple"], "Item": k, "ExpressionAttributeValues": {":a": S}},
        V,
        "ExpressionAttributeValues can only be specified when using expressions",
        GUIDE + "Expressions.ExpressionAttributeValues.html",
    ),
    "empty ExpressionAttributeValues": Case(
        "PutItem",
        _put("attribute_exists(a)", values={}),
        V,
        "must not be empty",
        GUIDE + "Expressions.ExpressionAttributeValues.html",
    ),
    "expression attribute value key without a colon": Case(
        "PutItem",
        _put("attribute_exists(a)", values={"v": S}),
        V,
        "invalid key",
        GUIDE + "Expressions.ExpressionAttributeValues.html",
    ),
    "expression and legacy parameter together": Case(
        "PutItem",
        lambda t, k: {
            "TableName": t["simple"],
            "Item": k,
            "ConditionExpression": "attribute_exists(a)",
            "Expected": {"a": {"Exists": False}},
        },
        V,
        "non-expression",
        GUIDE + "LegacyConditionalParameters.html",
    ),
    "expression longer than 4 KB": Case(
        "PutItem",
        _put("attribute_exists(" + "a" * 4100 + ")"),
        V,
        "size",
        GUIDE + "ServiceQuotas.html#limits-expression-parameters",
    ),
    "IN with more than 100 operands": Case(
        "PutItem",
        _put("a IN (" + ", ".join([":v"] * 101) + ")", values={":v": S}),
        V,
        "IN",
        GUIDE + "ServiceQuotas.html#limits-expression-parameters",
    ),
    "BETWEEN with the upper bound below the lower": Case(
        "PutItem",
        _put("a BETWEEN :hi AND :lo", values={":hi": {"N": "9"}, ":lo": {"N": "1"}}),
        V,
        "BETWEEN",
        GUIDE + "Expressions.OperatorsAndFunctions.html",
    ),
    "begins_with with a number operand": Case(
        "PutItem",
        _put("begins_with(a, :n)", values={":n": {"N": "1"}}),
        V,
        "begins_with",
        GUIDE + "Expressions.OperatorsAndFunctions.html",
    ),
    "ordering comparison with a boolean value": Case(
        "PutItem",
        _put("a < :b", values={":b": {"BOOL": True}}),
        V,
        "operand type",
        GUIDE + "Expressions.OperatorsAndFunctions.html",
    ),
    "attribute_exists on a value instead of a path": Case(
        "PutItem",
        _put("attribute_exists(:v)", values={":v": S}),
        V,
        "document path",
        GUIDE + "Expressions.OperatorsAndFunctions.html",
    ),
    "ADD of a string": Case(
        "UpdateItem",
        _update("ADD a :s", values={":s": S}),
        V,
        "ADD",
        GUIDE + "Expressions.UpdateExpressions.html",
    ),
    "DELETE of a number": Case(
        "UpdateItem",
        _update("DELETE a :n", values={":n": {"N": "1"}}),
        V,
        "DELETE",
        GUIDE + "Expressions.UpdateExpressions.html",
    ),
    "arithmetic on an attribute that does not exist": Case(
        "UpdateItem",
        _update("SET a = q + :n", values={":n": {"N": "1"}}),
        V,
        "does not exist",
        GUIDE + "Expressions.UpdateExpressions.html",
    ),
    "key that does not match the schema": Case(
        "GetItem",
        lambda t, k: {"TableName": t["simple"], "Key": {"pk": {"N": "1"}}},
        V,
        "key element",
        API + "API_GetItem.html",
    ),
    "key attribute missing from the item": Case(
        "PutItem",
        lambda t, k: {"TableName": t["simple"], "Item": {"other": S}},
        V,
        "Missing the key",
        API + "API_PutItem.html",
    ),
    "empty string as a key": Case(
        "PutItem",
        lambda t, k: {"TableName": t["simple"], "Item": {"pk": {"S": ""}}},
        V,
        "empty string",
        GUIDE + "HowItWorks.NamingRulesDataTypes.html",
    ),
    "empty string as an index key": Case(
        "PutItem",
        lambda t, k: {"TableName": t["indexed"], "Item": {**k, "g": {"S": ""}}},
        V,
        "IndexName",
        GUIDE + "SecondaryIndexes.html",
    ),
    "item over 400 KB": Case(
        "PutItem",
        lambda t, k: {"TableName": t["simple"], "Item": {**k, "big": {"S": "x" * (400 * 1024)}}},
        V,
        "size",
        GUIDE + "ServiceQuotas.html",
    ),
    "OR in a key condition": Case(
        "Query",
        _query("pk = :k OR sk = :s", {":k": S, ":s": S}),
        V,
        "KeyConditionExpression",
        GUIDE + "Query.KeyConditionExpressions.html",
    ),
    "key condition without the partition key": Case(
        "Query", _query("sk = :s", {":s": S}), V, "pk", GUIDE + "Query.KeyConditionExpressions.html"
    ),
    "key condition on a non-key attribute": Case(
        "Query",
        _query("pk = :k AND other = :s", {":k": S, ":s": S}),
        V,
        "",
        GUIDE + "Query.KeyConditionExpressions.html",
    ),
    "Select SPECIFIC_ATTRIBUTES without a projection": Case(
        "Query",
        _query("pk = :k", {":k": S}, Select="SPECIFIC_ATTRIBUTES"),
        V,
        "SPECIFIC_ATTRIBUTES",
        API + "API_Query.html",
    ),
    "BatchWriteItem with one item twice": Case(
        "BatchWriteItem",
        lambda t, k: {"RequestItems": {t["simple"]: [{"PutRequest": {"Item": k}}] * 2}},
        V,
        "duplicates",
        API + "API_BatchWriteItem.html",
    ),
    "BatchGetItem with one key twice": Case(
        "BatchGetItem",
        lambda t, k: {"RequestItems": {t["simple"]: {"Keys": [k, k]}}},
        V,
        "duplicates",
        API + "API_BatchGetItem.html",
    ),
}


def _nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"S": "leaf"}
    for _ in range(levels):
        value = {"M": {"m": value}}
    return value


@pytest.mark.parametrize("rule", CASES)
def test_rule(ddb: DynamoDB, simple: str, sorted_table: str, indexed: str, key: dict, rule: str) -> None:
    """DynamoDB refuses the request with the case's error (see the case's ``doc`` page)."""
    case = CASES[rule]
    tables = {"simple": simple, "sorted": sorted_table, "indexed": indexed}
    rejected(ddb.send(case.operation, case.body(tables, key)), case.error, case.fragment)
