"""The log line for an unknown route names the closest routes (the answer stays API Gateway's 403)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from emulator import log
from emulator.apigateway.gateway import ApiGateway
from emulator.apigateway.route_hints import RouteHints
from emulator.template.model import RestApiSpec, Route
from tests.emulator.fixtures import gateway_request, rest_app

ROUTES = (
    Route("Api", "/auth/login", "POST", "Login", "E1"),
    Route("Api", "/auth/register", "POST", "Register", "E2"),
    Route("Api", "/auth/validate", "GET", "Validate", "E3"),
    Route("Api", "/users/me", "GET", "Me", "E4"),
    Route("Api", "/users/me", "PATCH", "Me", "E5"),
)


def _gateway() -> ApiGateway:
    app = rest_app(RestApiSpec(logical_id="Api", stage_name="prod"), ROUTES)
    runtime = None  # never reached: nothing is invoked for an unknown route
    return ApiGateway(app, runtime)  # type: ignore[arg-type]


def _hints() -> RouteHints:
    return _gateway().route_hints


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/prod/auth/signin", "POST /auth/login"),
        ("GET", "/prod/auth/login", "POST /auth/login"),
        ("POST", "/auth/regster", "POST /auth/register"),
        ("DELETE", "/prod/users/me/", "GET /users/me"),
    ],
)
def test_the_closest_route_comes_first(method: str, path: str, expected: str) -> None:
    assert _hints().closest(method, path)[0] == expected


def test_the_line_names_the_request_and_the_suggestions() -> None:
    line = _hints().line("POST", "/prod/auth/signin")
    assert line.startswith("no route for POST /prod/auth/signin; did you mean POST /auth/login")
    assert line.endswith("?")


def test_nothing_close_says_how_to_list_the_routes() -> None:
    assert _hints().closest("PUT", "/prod/completely/elsewhere/entirely") == []
    line = _hints().line("PUT", "/prod/completely/elsewhere/entirely")
    assert line == (
        "no route for PUT /prod/completely/elsewhere/entirely "
        "(5 routes; `python -m emulator validate` lists them)"
    )


def test_an_unknown_route_is_still_a_403_and_is_logged_with_the_hint(caplog) -> None:
    request = gateway_request("POST", "/prod/auth/signin")
    with caplog.at_level(logging.INFO, logger=log.GATEWAY):
        response = asyncio.run(_gateway().handle(request))
    assert response.status == 403
    assert response.body == b'{"message":"Missing Authentication Token"}'
    lines = [r.getMessage() for r in caplog.records if r.name == log.GATEWAY]
    assert "no route for POST /prod/auth/signin; did you mean POST /auth/login?" in lines
