"""REST APIs defined by OpenAPI documents, over real HTTP: ``serve`` on the ``openapi_app`` fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from emulator.launcher import run_serve, serve_argv
from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("openapi") / "serve.log"
    argv = serve_argv("--port", "0", "--template", str(template("openapi_app")), "--no-reload")
    with run_serve(argv, log_path=log, cwd=ROOT) as serve:
        yield serve.root_url


def _call(url: str, method: str, path: str, **kwargs: object) -> requests.Response:
    return requests.request(method, url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


def test_a_definition_method_reaches_its_function(url: str) -> None:
    answer = _call(url, "GET", "/dev/items").json()
    assert (answer["resource"], answer["path"], answer["stage"]) == ("/items", "/items", "dev")


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_any_method(url: str, method: str) -> None:
    response = _call(url, method, "/dev/anything")
    assert response.status_code == 200
    assert response.json()["method"] == method


def test_a_mock_integration_is_answered_by_the_gateway(url: str) -> None:
    response = _call(url, "GET", "/dev/mock")
    assert response.status_code == 202
    assert response.headers["X-Mocked"] == "true"
    assert response.json() == {"mocked": True}


def test_a_definition_authorizer_guards_its_method(url: str) -> None:
    assert _call(url, "GET", "/dev/secured").status_code == 401
    allowed = _call(url, "GET", "/dev/secured", headers={"Authorization": "allow"})
    assert allowed.status_code == 200
    assert allowed.json()["authorizer"]["principalId"] == "user-1"


def test_the_default_authorizer_covers_the_included_definition(url: str) -> None:
    assert _call(url, "GET", "/v2/orders/7").status_code == 401
    answer = _call(url, "GET", "/v2/orders/7", headers={"X-Token": "allow"}).json()
    assert answer["pathParameters"] == {"id": "7"}
    assert _call(url, "GET", "/v2/public").status_code == 200  # the event's Authorizer: NONE
    assert _call(url, "POST", "/v2/merged", headers={"X-Token": "allow"}).status_code == 200


def test_an_event_not_in_the_own_definition_is_not_served(url: str) -> None:
    response = _call(url, "GET", "/dev/extra")
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}
    assert response.headers["X-Gateway"] == "yes"  # the definition's gateway responses


def test_a_method_whose_function_is_missing_is_a_502_and_the_others_run(url: str) -> None:
    response = _call(url, "GET", "/dev/missing")
    assert (response.status_code, response.json()) == (502, {"message": "Internal server error"})
    assert _call(url, "GET", "/dev/pool").status_code == 200  # Cognito: not emulated, served open


def test_the_definition_binary_media_types(url: str) -> None:
    answer = _call(
        url, "POST", "/dev/anything", data=b"GIF89a\x00", headers={"Content-Type": "image/gif"}
    ).json()
    assert answer["isBase64Encoded"] is True


def test_cors_covers_the_definition_paths(url: str) -> None:
    response = _call(url, "OPTIONS", "/dev/items")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_definition_uri_file(url: str) -> None:
    answer = _call(url, "DELETE", "/v3/uri/a/b").json()
    assert (answer["resource"], answer["pathParameters"]) == ("/uri/{proxy+}", {"proxy": "a/b"})
