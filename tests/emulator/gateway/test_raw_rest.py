"""Raw API Gateway REST resources and plain Lambda functions, over real HTTP: ``serve`` on the
``raw_rest_app`` fixture (no Transform: RestApi, Resource tree, Method, Authorizer, Stage...)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from emulator.launcher import run_serve, serve_argv
from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Served:
    url: str
    log: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    log = tmp_path_factory.mktemp("raw-rest") / "serve.log"
    argv = serve_argv("--port", "0", "--template", str(template("raw_rest_app")), "--no-reload")
    with run_serve(argv, log_path=log, cwd=ROOT) as serve:
        yield Served(serve.root_url, log)


def _call(served: Served, method: str, path: str, **kwargs: object) -> requests.Response:
    return requests.request(method, served.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


def test_a_method_on_a_resource_reaches_a_plain_lambda_function(served: Served) -> None:
    answer = _call(served, "GET", "/v1/items").json()
    assert (answer["resource"], answer["path"], answer["stage"]) == ("/items", "/items", "v1")
    # The function's own settings, as Lambda gives them to the handler.
    assert (answer["greeting"], answer["memory"]) == ("hello", "256")
    assert 0 < answer["remaining_ms"] <= 7000  # Timeout: 7
    assert answer["stageVariables"] == {"color": "blue"}  # the Stage's Variables


def test_a_nested_resource_with_a_token_authorizer(served: Served) -> None:
    assert _call(served, "GET", "/v1/items/7").status_code == 401
    answer = _call(served, "GET", "/v1/items/7", headers={"Authorization": "allow"}).json()
    assert (answer["resource"], answer["pathParameters"]) == ("/items/{id}", {"id": "7"})
    assert answer["authorizer"]["principalId"] == "user-1"


def test_a_request_authorizer_reads_its_identity_source(served: Served) -> None:
    assert _call(served, "POST", "/v1/secured").status_code == 401
    assert _call(served, "POST", "/v1/secured", headers={"X-Token": "deny"}).status_code == 401
    assert _call(served, "POST", "/v1/secured", headers={"X-Token": "allow"}).status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_any_on_a_greedy_resource_reaches_the_inline_zipfile_function(served: Served, method: str) -> None:
    response = _call(served, method, "/v1/a/b")
    assert response.status_code == 200
    assert response.json() == {"inline": True, "input": "/{proxy+}"}


def test_a_mock_integration_answers_its_selected_integration_response(served: Served) -> None:
    response = _call(served, "GET", "/v1/mock")
    assert response.status_code == 201
    assert response.headers["X-Mocked"] == "yes"
    assert response.json() == {"mocked": True}


def test_a_function_whose_code_is_in_s3_answers_502_and_is_named(served: Served) -> None:
    response = _call(served, "GET", "/v1/")
    assert (response.status_code, response.json()) == (502, {"message": "Internal server error"})
    log = served.log.read_text()
    assert "error: function S3Function: Code is in S3 (s3://my-artifacts/builds/app.zip)" in log


def test_an_http_proxy_integration_answers_502_with_a_warning(served: Served) -> None:
    assert _call(served, "GET", "/v1/secured").status_code == 502
    warnings = [line for line in served.log.read_text().splitlines() if line.startswith("warning: ")]
    assert any("Api GET /secured: http_proxy integrations are not emulated" in line for line in warnings)
    assert any("served without authorization: Api GET /secured (AWS_IAM)" in line for line in warnings)
    assert any("Policy of AWS::ApiGateway::RestApi is not emulated: Api" in line for line in warnings)
    assert any(
        "RequestParameters of AWS::ApiGateway::Method is not emulated: ItemGet" in line for line in warnings
    )
    assert not any("Permission" in line or "Deployment" in line for line in warnings)


def test_the_gateway_response_resource_customises_the_missing_token_answer(served: Served) -> None:
    response = _call(served, "POST", "/")  # the root has GET only; {proxy+} needs a segment
    assert response.status_code == 404
    assert response.headers["X-Gateway"] == "raw"
    assert response.json() == {"message": "no such route"}
