"""A raw HTTP API (``AWS::ApiGatewayV2::Api``/``Route``/``Integration``/``Authorizer``/``Stage``) over
real HTTP: ``serve`` on the ``raw_http_app`` fixture, with a local OpenID issuer for the JWT authorizer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from emulator.launcher import run_serve, serve_argv
from tests.emulator.fixtures import template
from tests.emulator.gateway.test_http_api import Issuer

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Served:
    url: str
    log: Path
    issuer: Issuer


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    issuer = Issuer()
    thread = threading.Thread(target=issuer.server.serve_forever, daemon=True)
    thread.start()
    log = tmp_path_factory.mktemp("raw-http") / "serve.log"
    argv = serve_argv(
        "--port", "0", "--template", str(template("raw_http_app")), "--no-reload",
        "--parameter-overrides", f"Issuer={issuer.url}",
    )  # fmt: skip
    try:
        with run_serve(argv, log_path=log, cwd=ROOT) as serve:
            yield Served(serve.root_url, log, issuer)
    finally:
        issuer.server.shutdown()
        thread.join(10)


def _call(served: Served, method: str, path: str, **kwargs: object) -> requests.Response:
    return requests.request(method, served.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


def test_a_route_to_a_2_0_integration(served: Served) -> None:
    event = _call(served, "GET", "/items/42").json()
    assert (event["version"], event["routeKey"], event["pathParameters"]) == (
        "2.0",
        "GET /items/{id}",
        {"id": "42"},
    )
    assert event["requestContext"]["stage"] == "$default"
    assert event["stageVariables"] == {"color": "green"}


def test_a_route_to_a_1_0_integration(served: Served) -> None:
    event = _call(served, "DELETE", "/legacy/a/b").json()
    assert (event["version"], event["httpMethod"], event["resource"]) == ("1.0", "DELETE", "/legacy/{proxy+}")
    assert event["pathParameters"] == {"proxy": "a/b"}


def test_the_default_route_takes_the_rest(served: Served) -> None:
    event = _call(served, "PUT", "/anything/else").json()
    assert (event["routeKey"], event["rawPath"]) == ("$default", "/anything/else")


def test_a_jwt_authorizer_with_scopes(served: Served) -> None:
    assert _call(served, "GET", "/me").status_code == 401
    unscoped = served.issuer.token()
    assert _call(served, "GET", "/me", headers={"Authorization": f"Bearer {unscoped}"}).status_code == 403
    scoped = served.issuer.token(scope="read")
    event = _call(served, "GET", "/me", headers={"Authorization": f"Bearer {scoped}"}).json()
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "user-7"


def test_a_request_lambda_authorizer_with_simple_responses(served: Served) -> None:
    assert _call(served, "POST", "/guarded", headers={"X-Token": "no"}).status_code == 403
    event = _call(served, "POST", "/guarded", headers={"X-Token": "allow"}).json()
    assert event["requestContext"]["authorizer"]["lambda"] == {"tier": "gold"}


def test_cors_configuration_is_answered_by_the_gateway(served: Served) -> None:
    preflight = _call(
        served,
        "OPTIONS",
        "/items/1",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"


def test_the_websocket_api_is_one_warning(served: Served) -> None:
    warnings = [line for line in served.log.read_text().splitlines() if line.startswith("warning: ")]
    assert [line for line in warnings if "Chat" in line] == [
        "warning: WebSocket APIs are not emulated (the API, its routes, integrations and stages): Chat"
    ]
    assert any(
        "DefaultRouteSettings of AWS::ApiGatewayV2::Stage is not emulated: Stage" in w for w in warnings
    )
