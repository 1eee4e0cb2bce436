"""The tables browser's JSON API under ``serve``, over real HTTP, with boto3 on the same DynamoDB
endpoint as the other side: what the API says is what DynamoDB holds, and the other way round."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from emulator.aws import EmbeddedAws
from emulator.dashboard.masking import MASK
from emulator.dashboard.tables import COUNT_CAP
from tests.emulator.aws.helpers import client
from tests.emulator.dashboard.tables_app import ServedTables, serve_tables_app


def _key(pk: str, sk: str = "profile") -> str:
    return json.dumps({"pk": {"S": pk}, "sk": {"S": sk}})


def _get(served: ServedTables, path: str, status: int = 200, **params: str) -> dict[str, Any]:
    answer = requests.get(served.api(path), params=params, timeout=30)
    assert answer.status_code == status, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    return answer.json()


def _put(served: ServedTables, body: Any, status: int = 200, **params: str) -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body)
    answer = requests.put(served.api("/accounts/item"), params=params, data=text, timeout=30)
    assert answer.status_code == status, answer.text
    return answer.json()


def test_the_tables_are_listed_with_keys_indexes_ttl_and_a_count(served: ServedTables) -> None:
    before = _get(served, "/accounts")["itemCount"]["count"]
    pk = uuid.uuid4().hex
    for sk in ("a", "b", "c"):
        served.dynamodb.put_item(TableName="accounts", Item={"pk": {"S": pk}, "sk": {"S": sk}})
    tables = {table["name"]: table for table in _get(served, "")["tables"]}
    assert list(tables) == ["accounts", "counters"]  # the template's, in its order
    accounts = tables["accounts"]
    assert (accounts["partitionKey"], accounts["sortKey"]) == (
        {"name": "pk", "type": "S"},
        {"name": "sk", "type": "S"},
    )
    [gsi] = accounts["globalIndexes"]
    assert (gsi["name"], gsi["partitionKey"]["name"], gsi["sortKey"]) == (
        "byEmail",
        "email",
        {"name": "createdAt", "type": "N"},
    )
    [lsi] = accounts["localIndexes"]
    assert (lsi["name"], lsi["partitionKey"]["name"], lsi["sortKey"]["name"]) == (
        "byCreatedAt",
        "pk",
        "createdAt",
    )
    assert accounts["ttl"] == {"attribute": "expiresAt", "status": "ENABLED"}
    assert accounts["itemCount"]["count"] == before + 3
    assert accounts["itemCount"]["moreThan"] is False
    counters = tables["counters"]
    assert (counters["partitionKey"], counters["sortKey"]) == ({"name": "id", "type": "N"}, None)
    assert counters["ttl"]["attribute"] is None


def test_an_item_put_in_dynamodb_json_is_stored_exactly(served: ServedTables) -> None:
    pk = uuid.uuid4().hex
    item = {
        "pk": {"S": pk},
        "sk": {"S": "profile"},
        "big": {"N": "12345678901234567890123456789012345678"},  # 38 digits: DynamoDB's most
        "tenth": {"N": "0.1"},
        "avatar": {"B": "AAEC/w=="},
        "tags": {"SS": ["a", "b"]},
        "nested": {"M": {"list": {"L": [{"BOOL": True}, {"NULL": True}, {"BS": ["AQ=="]}]}}},
    }
    assert _put(served, item)["key"] == {"pk": {"S": pk}, "sk": {"S": "profile"}}
    stored = served.dynamodb.get_item(TableName="accounts", Key={"pk": {"S": pk}, "sk": {"S": "profile"}})[
        "Item"
    ]
    assert stored["avatar"] == {"B": b"\x00\x01\x02\xff"}
    assert stored["big"] == {"N": "12345678901234567890123456789012345678"}
    assert stored["nested"]["M"]["list"]["L"][2] == {"BS": [b"\x01"]}
    read = _get(served, "/accounts/item", key=_key(pk), reveal="1")["item"]
    assert read == item


def test_plain_json_goes_through_boto3s_type_serializer(served: ServedTables) -> None:
    pk = uuid.uuid4().hex
    _put(
        served,
        {"pk": pk, "sk": "profile", "logins": 3, "ratio": 0.1, "profile": {"name": "Ann", "ids": [1, 2]}},
        format="plain",
    )
    stored = served.dynamodb.get_item(TableName="accounts", Key={"pk": {"S": pk}, "sk": {"S": "profile"}})[
        "Item"
    ]
    assert stored["ratio"] == {"N": "0.1"}  # exact: read as a Decimal, never a float
    assert stored["profile"] == {"M": {"name": {"S": "Ann"}, "ids": {"L": [{"N": "1"}, {"N": "2"}]}}}
    plain = _get(served, "/accounts/item", key=json.dumps({"pk": pk, "sk": "profile"}), format="plain")[
        "item"
    ]
    assert plain == {
        "pk": pk,
        "sk": "profile",
        "logins": 3,
        "ratio": 0.1,
        "profile": {"name": "Ann", "ids": [1, 2]},
    }


def test_items_are_paged_with_an_opaque_cursor(served: ServedTables) -> None:
    pk = uuid.uuid4().hex
    for n in range(5):
        served.dynamodb.put_item(TableName="accounts", Item={"pk": {"S": pk}, "sk": {"S": f"s{n}"}})
    seen, cursor, pages = [], "", 0
    while True:
        params = {"pk": pk, "limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = _get(served, "/accounts/items", **params)
        seen += [item["sk"]["S"] for item in page["items"]]
        pages += 1
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == [f"s{n}" for n in range(5)]
    assert pages == 3
    scanned = _get(served, "/accounts/items", limit="1")
    assert (scanned["count"], scanned["cursor"] is not None) == (1, True)  # a scan pages the same way


def test_a_query_by_partition_key_takes_a_sort_condition_on_a_table_or_index(
    served: ServedTables,
) -> None:
    pk, email = uuid.uuid4().hex, f"{uuid.uuid4().hex[:8]}@example.com"
    for sk, created in (("order#1", "10"), ("order#2", "20"), ("profile", "30")):
        served.dynamodb.put_item(
            TableName="accounts",
            Item={"pk": {"S": pk}, "sk": {"S": sk}, "email": {"S": email}, "createdAt": {"N": created}},
        )

    def sks(**params: str) -> list[str]:
        return [item["sk"]["S"] for item in _get(served, "/accounts/items", **params)["items"]]

    assert sks(pk=pk, sk_op="begins_with", sk="order#") == ["order#1", "order#2"]
    assert sks(pk=pk, sk_op="eq", sk="profile") == ["profile"]
    assert sks(pk=pk, sk_op="eq", sk="") == ["order#1", "order#2", "profile"]  # no value: no condition
    assert sks(index="byEmail", pk=email) == ["order#1", "order#2", "profile"]
    assert sks(index="byEmail", pk=email, sk_op="eq", sk="20") == ["order#2"]
    assert sks(index="byCreatedAt", pk=pk, sk_op="eq", sk="30") == ["profile"]


def test_secrets_are_masked_until_revealed_but_keys_never(served: ServedTables) -> None:
    pk = uuid.uuid4().hex
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl"
    _put(
        served,
        {
            "pk": pk,
            "sk": "profile",
            "passwordHash": "pbkdf2$abc",
            "refreshToken": "r-1",
            "name": "Ann",
            "note": f"sent {jwt}",
        },
        format="plain",
    )
    masked = _get(served, "/accounts/item", key=_key(pk))
    assert masked["masked"] is True
    assert masked["item"]["passwordHash"] == {"S": MASK}
    assert masked["item"]["refreshToken"] == {"S": MASK}
    assert (masked["item"]["pk"], masked["item"]["name"]) == ({"S": pk}, {"S": "Ann"})
    assert masked["item"]["note"] == {"S": f"sent {MASK}"}  # a JWT anywhere
    listed = _get(served, "/accounts/items", pk=pk, format="plain")["items"]
    assert listed[0]["passwordHash"] == MASK
    revealed = _get(served, "/accounts/item", key=_key(pk), reveal="1")["item"]
    assert revealed["passwordHash"] == {"S": "pbkdf2$abc"}


def test_a_changed_key_is_refused_and_nothing_changes(served: ServedTables) -> None:
    pk = uuid.uuid4().hex
    _put(served, {"pk": pk, "sk": "profile", "name": "Ann"}, format="plain")
    refused = _put(
        served,
        {"pk": pk, "sk": "moved", "name": "Bob"},
        400,
        format="plain",
        key=_key(pk),
        key_format="dynamodb",
    )
    assert refused["error"]["code"] == "key_changed"
    assert "cannot be changed" in refused["error"]["message"]
    assert (
        served.dynamodb.get_item(TableName="accounts", Key={"pk": {"S": pk}, "sk": {"S": "moved"}}).get(
            "Item"
        )
        is None
    )
    kept = served.dynamodb.get_item(TableName="accounts", Key={"pk": {"S": pk}, "sk": {"S": "profile"}})[
        "Item"
    ]
    assert kept["name"] == {"S": "Ann"}
    _put(
        served,
        {"pk": pk, "sk": "profile", "name": "Bob"},
        format="plain",
        key=_key(pk),
        key_format="dynamodb",
    )
    assert _get(served, "/accounts/item", key=_key(pk))["item"]["name"] == {
        "S": "Bob"
    }  # the same key: replaced


def test_an_item_is_deleted_by_its_key(served: ServedTables) -> None:
    pk = uuid.uuid4().hex
    _put(served, {"pk": pk, "sk": "profile"}, format="plain")
    answer = requests.delete(served.api("/accounts/item"), params={"key": _key(pk)}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert served.dynamodb.get_item(TableName="accounts", Key=json.loads(_key(pk))).get("Item") is None
    again = requests.delete(served.api("/accounts/item"), params={"key": _key(pk)}, timeout=30)
    assert (again.status_code, again.json()["error"]["code"]) == (404, "item_not_found")


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "status", "message"),
    [
        ("GET", "/nope", {}, None, 404, "nope is not one of the template's tables"),
        ("GET", "/nope/items", {}, None, 404, "not one of the template's tables"),
        ("GET", "/accounts/item", {"key": '{"pk": {"S": "a"}}'}, None, 400, "lacks its key attribute 'sk'"),
        (
            "GET",
            "/accounts/item",
            {"key": '{"pk": {"N": "1"}, "sk": {"S": "a"}}'},
            None,
            400,
            "must be of type S",
        ),
        (
            "GET",
            "/accounts/item",
            {"key": _key("a")[:-1] + ', "x": {"S": "b"}}'},
            None,
            400,
            "not key attributes",
        ),
        ("GET", "/accounts/item", {}, None, 400, "key is required"),
        ("GET", "/accounts/item", {"key": "{"}, None, 400, "the key is not JSON"),
        ("GET", "/accounts/item", {"key": _key("never-put")}, None, 404, "no item has that key"),
        ("GET", "/accounts/items", {"cursor": "not-a-cursor"}, None, 400, "cursor is not one this API gave"),
        ("GET", "/accounts/items", {"limit": "0"}, None, 400, "limit must be from 1"),
        ("GET", "/accounts/items", {"index": "byName", "pk": "a"}, None, 400, "has no index 'byName'"),
        (
            "GET",
            "/accounts/items",
            {"index": "byEmail", "pk": "a", "sk_op": "eq", "sk": "x"},
            None,
            400,
            "'x' is not a number",
        ),
        ("GET", "/accounts/items", {"format": "xml"}, None, 400, "format must be one of"),
        ("PUT", "/accounts/item", {}, "[1]", 400, "must be a JSON object"),
        ("PUT", "/accounts/item", {}, '{"pk": "a", "sk": "b"}', 400, "not a DynamoDB JSON value"),
        (
            "PUT",
            "/accounts/item",
            {},
            '{"pk": {"S": "a"}, "sk": {"S": "b"}, "x": {"B": "%%"}}',
            400,
            "base64",
        ),
        # DynamoDB's own ValidationException, its message passed on.
        (
            "PUT",
            "/accounts/item",
            {},
            '{"pk": {"S": "a"}, "sk": {"S": "b"}, "s": {"SS": []}}',
            400,
            "may not be empty",
        ),
    ],
)
def test_bad_input_is_a_4xx_json_error(
    served: ServedTables,
    method: str,
    path: str,
    params: dict[str, str],
    body: str | None,
    status: int,
    message: str,
) -> None:
    answer = requests.request(method, served.api(path), params=params, data=body, timeout=30)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert message in error["message"]
    assert "Traceback" not in answer.text


def _fill_counters(dynamodb: Any, count: int) -> None:
    for start in range(0, count, 25):  # BatchWriteItem's most
        puts = [{"PutRequest": {"Item": {"id": {"N": str(n)}}}} for n in range(start, min(start + 25, count))]
        assert not dynamodb.batch_write_item(RequestItems={"counters": puts})["UnprocessedItems"]


def test_it_works_on_another_dynamodb_endpoint(tmp_path: Path) -> None:
    """``--dynamodb-endpoint``: a second embedded endpoint (its own process) standing in for DynamoDB
    Local or LocalStack; the browser reads and writes there, not on serve's own endpoint."""
    with (
        EmbeddedAws(ttl_sweep_interval_s=0) as external,
        serve_tables_app(tmp_path, dynamodb_endpoint=external.endpoint_url) as served,
    ):
        _fill_counters(served.dynamodb, COUNT_CAP + 1)
        counted = _get(served, "/counters")["itemCount"]
        assert (counted["count"], counted["moreThan"]) == (COUNT_CAP, True)
        _put(served, {"pk": "external", "sk": "profile", "name": "Ann"}, format="plain")
        stored = served.dynamodb.get_item(TableName="accounts", Key=json.loads(_key("external")))["Item"]
        assert stored["name"] == {"S": "Ann"}
        own_tables = client("dynamodb", served.aws_endpoint).list_tables()["TableNames"]
        assert "accounts" not in own_tables  # serve's embedded endpoint was not used
        assert _get(served, "/counters/item", key='{"id": {"N": "7"}}')["item"] == {"id": {"N": "7"}}
        external.stop()  # the endpoint gone: a 503 that says so, no exception text
        down = requests.get(served.api("/accounts/items"), timeout=60)
        assert down.status_code == 503, down.text
        assert down.json()["error"] == {
            "code": "dynamodb_unavailable",
            "message": "the DynamoDB endpoint did not answer",
        }
