"""Values and parameters DynamoDB refuses (issue groups 1 and 4)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.emulator.aws.dynamodb_conformance.helpers import rejected
from tests.emulator.aws.dynamodb_conformance.wire import DynamoDB

TYPES_DOC = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html"
)


def _stored(ddb: DynamoDB, table: str, key: dict[str, Any]) -> bool:
    return "Item" in ddb.ok("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("1" * 39, "38 significant digits"),
        ("1E+126", "overflow"),
        ("-1E+126", "overflow"),
        ("1E-131", "underflow"),
        ("12abc", "numeric value"),
    ],
)
def test_number_out_of_range_or_precision_is_refused(
    ddb: DynamoDB, simple: str, key: dict, number: str, problem: str
) -> None:
    """Numbers have up to 38 significant digits, magnitude 1E-130 to 9.99...E+125 (TYPES_DOC, "Number")."""
    rejected(
        ddb.send("PutItem", {"TableName": simple, "Item": {**key, "n": {"N": number}}}),
        "ValidationException",
        problem,
    )
    assert not _stored(ddb, simple, key)


@pytest.mark.parametrize(
    "number",
    [
        "9.9999999999999999999999999999999999999E+125",
        "1E-130",
        "-1E-130",
        "0",
        "12345678901234567890123456789012345678",
    ],
)
def test_number_at_the_limits_is_accepted(ddb: DynamoDB, simple: str, key: dict, number: str) -> None:
    """The limits themselves are valid numbers (TYPES_DOC, "Number")."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "n": {"N": number}}})


def test_partition_key_over_2048_bytes_is_refused(ddb: DynamoDB, simple: str) -> None:
    """Partition key values are at most 2048 bytes ("Quotas", "Partition keys and sort keys",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html)."""
    answer = ddb.send("PutItem", {"TableName": simple, "Item": {"pk": {"S": "é" * 1025}}})  # 2050 bytes
    rejected(answer, "ValidationException", "2048")


def test_sort_key_over_1024_bytes_is_refused(ddb: DynamoDB, sorted_table: str) -> None:
    """Sort key values are at most 1024 bytes (ServiceQuotas.html, "Partition keys and sort keys")."""
    answer = ddb.send(
        "PutItem", {"TableName": sorted_table, "Item": {"pk": {"S": "a"}, "sk": {"S": "x" * 1025}}}
    )
    rejected(answer, "ValidationException", "1024")


def test_empty_set_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """Sets cannot be empty (TYPES_DOC, "Sets")."""
    rejected(
        ddb.send("PutItem", {"TableName": simple, "Item": {**key, "s": {"SS": []}}}), "ValidationException"
    )


def test_set_with_duplicates_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """The values in a set are unique (TYPES_DOC, "Sets")."""
    answer = ddb.send("PutItem", {"TableName": simple, "Item": {**key, "s": {"NS": ["1", "1.0"]}}})
    rejected(answer, "ValidationException", "duplicates")


def test_value_with_two_types_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """An AttributeValue holds exactly one data type (API_AttributeValue.html,
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html)."""
    answer = ddb.send("PutItem", {"TableName": simple, "Item": {**key, "v": {"S": "x", "N": "1"}}})
    rejected(answer, "ValidationException", "exactly one")


def test_global_index_key_of_another_type_is_refused(ddb: DynamoDB, indexed: str, key: dict) -> None:
    """An index key attribute written with another type than declared is refused ("Secondary
    indexes", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/SecondaryIndexes.html)."""
    answer = ddb.send("PutItem", {"TableName": indexed, "Item": {**key, "g": {"N": "1"}}})
    rejected(answer, "ValidationException", "Type mismatch", "g")
    assert not _stored(ddb, indexed, key)


def test_update_setting_an_index_key_to_another_type_is_refused(
    ddb: DynamoDB, indexed: str, key: dict
) -> None:
    """Same rule through UpdateItem (SecondaryIndexes.html)."""
    answer = ddb.send(
        "UpdateItem",
        {
            "TableName": indexed,
            "Key": key,
            "UpdateExpression": "SET g = :g",
            "ExpressionAttributeValues": {":g": {"N": "1"}},
        },
    )
    rejected(answer, "ValidationException", "Type mismatch")


def test_add_of_a_string_set_to_a_number_set_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """ADD takes a set of the attribute's own set type ("Update expressions", "ADD",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html)."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "s": {"NS": ["1"]}}})
    answer = ddb.send(
        "UpdateItem",
        {
            "TableName": simple,
            "Key": key,
            "UpdateExpression": "ADD s :v",
            "ExpressionAttributeValues": {":v": {"SS": ["x"]}},
        },
    )
    rejected(answer, "ValidationException", "incorrect data type")
    item = ddb.ok("GetItem", {"TableName": simple, "Key": key, "ConsistentRead": True})["Item"]
    assert item["s"] == {"NS": ["1"]}


def test_arithmetic_on_a_string_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """``+`` and ``-`` take numbers (Expressions.UpdateExpressions.html, "Incrementing and decrementing")."""
    ddb.ok("PutItem", {"TableName": simple, "Item": {**key, "a": {"S": "x"}}})
    answer = ddb.send(
        "UpdateItem",
        {
            "TableName": simple,
            "Key": key,
            "UpdateExpression": "SET a = a + :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        },
    )
    rejected(answer, "ValidationException", "incorrect data type")


@pytest.mark.parametrize(
    "member", ["ReturnValues", "ReturnValuesOnConditionCheckFailure", "ReturnConsumedCapacity"]
)
def test_invalid_enum_value_is_refused(ddb: DynamoDB, simple: str, key: dict, member: str) -> None:
    """Enum members take one of their documented values (API_PutItem.html, "Request Parameters",
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html)."""
    answer = ddb.send("PutItem", {"TableName": simple, "Item": key, member: "BOGUS"})
    rejected(answer, "ValidationException", "enum value set")
    assert not _stored(ddb, simple, key)


def test_put_item_return_values_is_none_or_all_old(ddb: DynamoDB, simple: str, key: dict) -> None:
    """PutItem's ReturnValues is NONE or ALL_OLD (API_PutItem.html, "ReturnValues")."""
    rejected(
        ddb.send("PutItem", {"TableName": simple, "Item": key, "ReturnValues": "ALL_NEW"}),
        "ValidationException",
    )


def test_condition_check_without_condition_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """A transaction's ConditionCheck requires ConditionExpression (API_ConditionCheck.html,
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ConditionCheck.html)."""
    answer = ddb.send(
        "TransactWriteItems", {"TransactItems": [{"ConditionCheck": {"TableName": simple, "Key": key}}]}
    )
    rejected(answer, "ValidationException", "conditionExpression")


def test_update_of_a_key_attribute_is_refused(ddb: DynamoDB, simple: str, key: dict) -> None:
    """Key attributes cannot be updated (API_UpdateItem.html, "Key")."""
    answer = ddb.send(
        "UpdateItem",
        {
            "TableName": simple,
            "Key": key,
            "UpdateExpression": "SET pk = :v",
            "ExpressionAttributeValues": {":v": {"S": "other"}},
        },
    )
    rejected(answer, "ValidationException", "part of the key")


def test_enabling_ttl_twice_is_refused(ddb: DynamoDB) -> None:
    """UpdateTimeToLive while TTL already has that state is a ValidationException
    (API_UpdateTimeToLive.html, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html)."""
    table = ddb.create_table(f"conformance-{uuid.uuid4().hex[:8]}-ttl", keys=[("pk", "S")])
    spec = {"Enabled": True, "AttributeName": "expiresAt"}
    ddb.ok("UpdateTimeToLive", {"TableName": table, "TimeToLiveSpecification": spec})
    rejected(
        ddb.send("UpdateTimeToLive", {"TableName": table, "TimeToLiveSpecification": spec}),
        "ValidationException",
    )


def test_disabling_ttl_that_is_off_is_refused(ddb: DynamoDB, simple: str) -> None:
    """Same page: disabling TTL when it is disabled is refused."""
    answer = ddb.send(
        "UpdateTimeToLive",
        {"TableName": simple, "TimeToLiveSpecification": {"Enabled": False, "AttributeName": "e"}},
    )
    rejected(answer, "ValidationException")


def test_query_on_an_index_the_table_lacks_is_a_validation_error(ddb: DynamoDB, simple: str) -> None:
    """ "IndexName" names an index of the table (API_Query.html): otherwise ValidationException,
    not ResourceNotFoundException."""
    answer = ddb.send(
        "Query",
        {
            "TableName": simple,
            "IndexName": "no-such-index",
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "x"}},
        },
    )
    rejected(answer, "ValidationException", "no-such-index")


# -- the JSON protocol (HTTP 500 here before) ----------------------------------------------------
ERRORS_DOC = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html"


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"TableName": '])
def test_malformed_json_is_a_serialization_error(ddb: DynamoDB, body: bytes) -> None:
    """A body that is not a JSON object is a SerializationException (ERRORS_DOC)."""
    rejected(ddb.send("PutItem", body), "SerializationException")


@pytest.mark.parametrize(
    "body",
    [
        {"TableName": "t-x-y", "Item": "not a map"},
        {"TableName": ["a list"], "Key": {}},
        {"TableName": "t-x-y", "Item": {"pk": {"S": 12}}},
        {"TableName": "t-x-y", "Item": {"pk": {"S": "a"}, "b": {"B": "!!not base64!!"}}},
    ],
)
def test_member_of_the_wrong_json_type_is_a_serialization_error(ddb: DynamoDB, body: dict) -> None:
    """Members of another JSON type than the API's, or binary that is not base64, are a
    SerializationException (ERRORS_DOC)."""
    rejected(ddb.send("PutItem", body), "SerializationException")


def test_missing_required_member_is_a_validation_error(ddb: DynamoDB) -> None:
    """A missing required parameter is a ValidationException naming it (ERRORS_DOC)."""
    rejected(ddb.send("GetItem", {"Key": {"pk": {"S": "a"}}}), "ValidationException", "tableName")
