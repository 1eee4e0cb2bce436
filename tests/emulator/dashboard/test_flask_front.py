"""The dashboard on the Flask front (``create_app``): the same records, the history's bound,
``dashboard=False`` (``serve --no-dashboard``), and the loopback-only rule."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from emulator.flask_app import create_app
from tests.emulator.fixtures import template

DASHBOARD_APP = template("dashboard_app")
API = "/_emulator/api/requests"
LAN_CLIENT = {"REMOTE_ADDR": "192.0.2.10"}  # TEST-NET-1: a client off this machine


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    app = create_app(DASHBOARD_APP, hot_reload=False, inspect_history=2)
    yield app
    app.emulator.close()  # type: ignore[attr-defined]


def test_the_flask_front_records_its_requests_and_keeps_the_newest(app: Flask) -> None:
    client = app.test_client()
    sent = [client.get(f"/dev/echo?n={n}").headers["x-amzn-RequestId"] for n in range(3)]
    listed = client.get(API).json["requests"]
    assert [row["requestId"] for row in listed] == [sent[2], sent[1]]
    assert client.get(f"{API}/{sent[0]}").status_code == 404
    detail = client.get(f"{API}/{sent[2]}").json
    assert detail["event"]["queryStringParameters"] == {"n": "2"}
    assert detail["function"]["logs"][-1].startswith("REPORT RequestId: ")


def test_the_dashboard_answers_only_loopback_clients_by_default(app: Flask) -> None:
    client = app.test_client()
    for path in (API, "/_emulator/requests", "/_emulator/", "/_emulator/api/events"):
        refused = client.get(path, environ_base=LAN_CLIENT)
        assert refused.status_code == 403, path
        assert refused.json["error"]["code"] == "dashboard_loopback_only"
    assert client.get(API).status_code == 200
    as_page = {"Accept": "text/html"}
    assert client.get("/_emulator/emails", headers=as_page, environ_base=LAN_CLIENT).status_code == 403
    assert client.get("/_emulator/emails", headers=as_page).content_type.startswith("text/html")
    # A phone on the LAN still reaches the API, the emails' JSON and the local identity providers.
    assert client.get("/_emulator/emails", environ_base=LAN_CLIENT).json == []
    assert client.get("/_emulator/idp/jwks.json", environ_base=LAN_CLIENT).status_code == 200
    assert client.get("/dev/echo", environ_base=LAN_CLIENT).status_code == 200


def test_dashboard_allow_lan_opens_it_to_the_network() -> None:
    app = create_app(DASHBOARD_APP, hot_reload=False, dashboard_allow_lan=True)
    try:
        assert app.test_client().get(API, environ_base=LAN_CLIENT).status_code == 200
    finally:
        app.emulator.close()  # type: ignore[attr-defined]


def test_without_the_dashboard_nothing_is_recorded_or_served() -> None:
    app = create_app(DASHBOARD_APP, hot_reload=False, dashboard=False)
    try:
        client = app.test_client()
        assert client.get("/dev/echo").status_code == 200
        assert app.emulator.core.history is None  # type: ignore[attr-defined]
        assert app.emulator.gateway.history is None  # type: ignore[attr-defined]
        assert client.get(API).status_code == 404
        assert client.get("/_emulator/requests").status_code == 404
        assert client.get("/_emulator/idp/jwks.json").status_code == 200
    finally:
        app.emulator.close()  # type: ignore[attr-defined]
