"""No request makes the endpoint answer HTTP 500: random and malformed DynamoDB JSON requests
(expressions built from DynamoDB's tokens, attribute values of every type and of none, members
of the wrong JSON type, bodies that are not JSON) are all answered 200 or a 4xx JSON error.

Derandomized with no example database, so every run (and CI) sends the same requests; the
number of examples is bounded to keep ``make test`` quick.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulator.aws.dynamodb_conformance.wire import DynamoDB

EXAMPLES = 300
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
OPERATIONS = ["PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan", "TransactWriteItems",
              "BatchWriteItem", "BatchGetItem", "UpdateTimeToLive", "DescribeTable"]  # fmt: skip

_TOKENS = [
    "a", "b", "pk", "sk", "g", "name", "#a", "#b", "#zz", ":v", ":w", ":zz", "(", ")", "[", "]", "[0]", "[7]",
    ",", ".", "=", "<>", "<", "<=", ">", ">=", "+", "-", "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE",
    "ADD", "DELETE", "size", "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with",
    "contains", "if_not_exists", "list_append", "foo", "$", "\"", "1", "", " ", "\u00e9",
]  # fmt: skip
_VALID = [
    "a = :v", "attribute_not_exists(pk)", "attribute_exists(#a) AND a < :v", "NOT (a IN (:v, :w))",
    "a BETWEEN :v AND :w", "begins_with(a, :v) OR contains(#a, :w)", "size(a) > :v", "attribute_type(a, :v)",
    "SET a = :v", "SET a = a + :v, #a = list_append(if_not_exists(#a, :w), :v)", "REMOVE a, b[1]", "ADD a :v",
    "DELETE a :v", "SET a.b[0] = :v REMOVE #a", "pk = :v", "pk = :v AND sk > :w", ":v = pk",
    "pk = :v AND begins_with(sk, :w)", "a, b.c, #a[2]",
]  # fmt: skip

_scalars = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["1", "-1.5", "1E+126", "1E-131", "abc", "", "1" * 40, "0"]).map(str),
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
)


def _attribute_values() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.builds(lambda s: {"S": s}, st.text(max_size=6)),
        st.builds(lambda n: {"N": n}, st.sampled_from(["1", "2.5", "-3", "1E+200", "x", "", "1" * 39])),
        st.builds(lambda b: {"B": b}, st.sampled_from(["AAEC", "!!!", "", "YQ==", 5])),
        st.builds(lambda v: {"SS": v}, st.lists(st.sampled_from(["x", "y", 1]), max_size=3)),
        st.builds(lambda v: {"NS": v}, st.lists(st.sampled_from(["1", "1.0", "2", "x"]), max_size=3)),
        st.builds(lambda v: {"BOOL": v}, st.sampled_from([True, False, "x"])),
        st.builds(lambda v: {"NULL": v}, st.sampled_from([True, False])),
    )
    malformed = st.one_of(st.just({}), st.just({"S": "a", "N": "1"}), _scalars)
    leaves = st.one_of(leaves, leaves, leaves, malformed)  # mostly well-formed
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(lambda v: {"L": v}, st.lists(inner, max_size=3)),
            st.builds(
                lambda v: {"M": v}, st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3)
            ),
        ),
        max_leaves=6,
    )


_values = _attribute_values()
_expressions = st.one_of(
    st.sampled_from(_VALID),
    st.sampled_from(_VALID),
    st.lists(st.sampled_from(_TOKENS), max_size=12).map(" ".join),
    st.lists(st.sampled_from(_TOKENS), max_size=12).map(" ".join),
    st.text(max_size=20),
    _scalars,
)
_names = st.dictionaries(
    st.sampled_from(["#a", "#b", "a", "#"]),
    st.one_of(st.sampled_from(["a", "pk", "b"]), _scalars),
    max_size=3,
)
_value_maps = st.dictionaries(st.sampled_from([":v", ":w", "v", ":"]), _values, max_size=3)


@st.composite
def _requests(draw: st.DrawFn, tables: list[str]) -> tuple[str, Any]:
    operation = draw(st.sampled_from(OPERATIONS))
    # Mostly well-formed requests on real tables, so that the expressions and values get past the
    # protocol checks; now and then anything at all (the rare branch is not hypothesis's
    # simplest draw, which it favours).
    table = (
        draw(st.sampled_from(tables))
        if draw(st.integers(0, 9)) < 9
        else draw(st.one_of(_scalars, st.just("no-such")))
    )
    if draw(st.integers(0, 4)) < 4:
        key = {"pk": {"S": draw(st.sampled_from(["k1", "k2", ""]))}}
        if draw(st.booleans()):
            key["sk"] = draw(st.one_of(st.just({"S": "s1"}), _values))
    else:
        key = draw(
            st.one_of(st.dictionaries(st.sampled_from(["pk", "sk", "g"]), _values, max_size=3), _scalars)
        )
    item = dict(key) if isinstance(key, dict) else key
    if isinstance(item, dict):
        item.update(draw(st.dictionaries(st.sampled_from(["a", "b", "g", "l", "m"]), _values, max_size=3)))
    action: dict[str, Any] = {"TableName": table, "Key": key, "Item": item}
    for member in (
        "ConditionExpression",
        "UpdateExpression",
        "FilterExpression",
        "KeyConditionExpression",
        "ProjectionExpression",
    ):
        if draw(st.booleans()):
            action[member] = draw(_expressions)
    if draw(st.booleans()):
        action["ExpressionAttributeNames"] = draw(_names)
    if draw(st.booleans()):
        action["ExpressionAttributeValues"] = draw(_value_maps)
    for member, choices in (
        ("ReturnValues", ["NONE", "ALL_OLD", "UPDATED_NEW", "ALL_NEW", "BOGUS"]),
        ("Select", ["COUNT", "SPECIFIC_ATTRIBUTES", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"]),
        ("IndexName", ["by-g", "nope"]),
        ("Limit", [1, 0, -1, "x"]),
        ("Expected", [{"a": {"Exists": False}}, {"a": {"ComparisonOperator": "EQ"}}, {"a": "x"}]),
        ("ConsistentRead", [True, "yes"]),
        ("ReturnConsumedCapacity", ["TOTAL", "INDEXES"]),
        ("ReturnValuesOnConditionCheckFailure", ["ALL_OLD", "X"]),
    ):
        if draw(st.integers(0, 4)) == 0:
            action[member] = draw(st.sampled_from(choices))
    if operation == "TransactWriteItems":
        kind = draw(st.sampled_from(["Put", "Update", "Delete", "ConditionCheck", "Bogus"]))
        body: Any = {"TransactItems": draw(st.lists(st.just({kind: action}), min_size=0, max_size=2))}
    elif operation == "BatchWriteItem":
        body = {"RequestItems": {table if isinstance(table, str) else "x": [{"PutRequest": {"Item": key}}]}}
    elif operation == "BatchGetItem":
        body = {"RequestItems": {table if isinstance(table, str) else "x": {"Keys": [key]}}}
    elif operation == "UpdateTimeToLive":
        body = {
            "TableName": table,
            "TimeToLiveSpecification": {"Enabled": draw(_scalars), "AttributeName": "e"},
        }
    else:
        body = action
    if draw(st.integers(0, 9)) == 9:
        return operation, draw(st.sampled_from([b"{", b"[]", b"null", b'{"TableName": 1}', b"\xff\xfe", b""]))
    return operation, body


def test_no_request_is_answered_with_a_server_error(
    ddb: DynamoDB, simple: str, sorted_table: str, indexed: str
) -> None:
    """Every answer is 200 or a 4xx with a JSON error body naming its type ("Error handling with
    DynamoDB", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html)."""

    @FUZZ_SETTINGS
    @given(_requests([simple, sorted_table, indexed]))
    def check(request: tuple[str, Any]) -> None:
        operation, body = request
        answer = ddb.send(operation, body if isinstance(body, bytes) else json.dumps(body))
        assert answer.status < 500, (operation, body, answer.status, answer.body)
        if answer.status != 200:
            assert answer.error, (operation, body, answer.body)
            assert not answer.error.startswith("<"), (operation, body, answer.body)  # a JSON error body

    check()
