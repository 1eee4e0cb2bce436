"""The tables browser on the Flask front (``create_app``), and its loopback-only rule."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from emulator.flask_app import create_app
from tests.emulator.fixtures import template

TABLES_APP = template("tables_app")
LAN_CLIENT = {"REMOTE_ADDR": "192.0.2.10"}  # TEST-NET-1: a client off this machine


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    app = create_app(TABLES_APP, hot_reload=False)
    yield app
    app.emulator.close()  # type: ignore[attr-defined]


def test_the_flask_front_browses_and_edits_the_tables(app: Flask) -> None:
    client = app.test_client()
    listed = client.get("/_emulator/api/tables").json
    assert [table["name"] for table in listed["tables"]] == ["accounts", "counters"]
    pk = uuid.uuid4().hex
    put = client.put(
        "/_emulator/api/tables/accounts/item?format=plain", data=json.dumps({"pk": pk, "sk": "p", "n": 1})
    )
    assert put.status_code == 200, put.text
    dynamodb = app.emulator.aws_client("dynamodb")  # type: ignore[attr-defined]
    stored = dynamodb.get_item(TableName="accounts", Key={"pk": {"S": pk}, "sk": {"S": "p"}})["Item"]
    assert stored["n"] == {"N": "1"}
    page = client.get(f"/_emulator/tables/accounts?pk={pk}")
    assert page.status_code == 200
    assert pk in page.text


def test_the_tables_answer_only_loopback_clients(app: Flask) -> None:
    client = app.test_client()
    for path in ("/_emulator/api/tables", "/_emulator/tables", "/_emulator/tables/accounts"):
        refused = client.get(path, environ_base=LAN_CLIENT)
        assert refused.status_code == 403, path
        assert refused.json["error"]["code"] == "dashboard_loopback_only"
    refused = client.delete("/_emulator/api/tables/accounts/item?key={}", environ_base=LAN_CLIENT)
    assert refused.status_code == 403
