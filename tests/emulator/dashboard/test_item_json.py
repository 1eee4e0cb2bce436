"""Items as JSON both ways and the paging cursor: pure logic, no AWS."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from emulator.dashboard.item_json import (
    ItemError,
    decode_cursor,
    encode_cursor,
    parse_item,
    scalar,
    to_json,
)


def test_dynamodb_json_round_trips_with_binary_as_base64() -> None:
    item = {
        "id": {"S": "a"},
        "blob": {"B": b"\x00\xff"},
        "blobs": {"BS": [b"\x01"]},
        "n": {"N": "-1.5E+3"},
        "m": {"M": {"l": {"L": [{"BOOL": False}, {"NULL": True}, {"NS": ["1", "2"]}]}}},
    }
    wire = to_json(item, "dynamodb")
    assert wire["blob"] == {"B": "AP8="}
    assert wire["blobs"] == {"BS": ["AQ=="]}
    assert parse_item(json.dumps(wire), "dynamodb") == item


def test_plain_json_numbers_are_exact_and_shown_as_json_numbers_when_they_can_be() -> None:
    item = parse_item('{"a": 0.1, "b": 12345678901234567890, "c": [1, "x"], "d": null, "e": true}', "plain")
    assert item["a"] == {"N": "0.1"}
    assert item["b"] == {"N": "12345678901234567890"}
    assert item["c"] == {"L": [{"N": "1"}, {"S": "x"}]}
    assert (item["d"], item["e"]) == ({"NULL": True}, {"BOOL": True})
    plain = to_json({**item, "f": {"N": "0.1000000000000000000001"}, "s": {"SS": ["b", "a"]}}, "plain")
    assert (plain["a"], plain["b"], plain["c"], plain["d"], plain["e"]) == (
        0.1,
        12345678901234567890,
        [1, "x"],
        None,
        True,
    )
    assert plain["f"] == "0.1000000000000000000001"  # no float holds it: its text
    assert plain["s"] == ["a", "b"]  # a set, sorted


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("{", "dynamodb", "the item is not JSON"),
        ("[]", "dynamodb", "must be a JSON object"),
        ("{}", "plain", "must be a JSON object"),
        ('{"a": "x"}', "dynamodb", "a: not a DynamoDB JSON value"),
        ('{"a": {"S": "x", "N": "1"}}', "dynamodb", "a: not a DynamoDB JSON value"),
        ('{"a": {"S": 1}}', "dynamodb", "a: must be a string"),
        ('{"a": {"N": "one"}}', "dynamodb", "'one' is not a number"),
        ('{"a": {"N": "Infinity"}}', "dynamodb", "is not a number"),
        ('{"a": {"N": true}}', "dynamodb", "a number must be given as text"),
        ('{"a": {"BOOL": 1}}', "dynamodb", "must be true or false"),
        ('{"a": {"NULL": false}}', "dynamodb", "NULL must be true"),
        ('{"a": {"M": {"b": {"L": [{"X": 1}]}}}}', "dynamodb", "a.b[0]: not a DynamoDB JSON value"),
        ('{"a": {"B": "not base64!"}}', "dynamodb", "binary must be base64"),
        ('{"a": 1234567890123456789012345678901234567890}', "plain", "more than 38 significant digits"),
        ('{"a": 1e400}', "plain", "a: a number is out of DynamoDB's range"),
        ('{"a": 1e-400}', "plain", "a: a number is out of DynamoDB's range"),
    ],
)
def test_what_cannot_be_an_item_is_said(text: str, fmt: str, message: str) -> None:
    with pytest.raises(ItemError, match=re.escape(message)):
        parse_item(text, fmt)


def test_a_key_value_from_a_form_field_takes_its_attributes_type() -> None:
    assert scalar("a b", "S", "pk") == {"S": "a b"}
    assert scalar("42", "N", "pk") == {"N": "42"}
    assert scalar("AQI=", "B", "pk") == {"B": b"\x01\x02"}
    with pytest.raises(ItemError, match="pk: 'x' is not a number"):
        scalar("x", "N", "pk")


def test_the_cursor_carries_the_last_evaluated_key_and_nothing_else() -> None:
    key = {"pk": {"S": "a/b+c"}, "n": {"N": str(Decimal("1.5"))}, "b": {"B": b"\xff"}}
    cursor = encode_cursor(key)
    assert cursor is not None
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)  # URL-safe as it is
    assert decode_cursor(cursor) == key
    assert encode_cursor(None) is None
    assert encode_cursor({}) is None
    for forged in ("!!", "e30", "WzFd", encode_cursor({"pk": {"S": "a"}})[:-2]):  # e30: {}, WzFd: [1]
        with pytest.raises(ItemError, match="cursor is not one this API gave"):
            decode_cursor(forged)
