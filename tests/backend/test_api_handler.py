"""The handler wrapper: error mapping, no exception text in 500s, CORS, and what gets logged."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from auth_service import errors
from auth_service.handlers import _api
from auth_service.http import json_response, parse_json_body
from auth_service.log import logger
from auth_service.services import deps

SECRET_PASSWORD = "hunter2-do-not-log-me"


@dataclass
class FakeContext:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str = "TestFunction"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:TestFunction"
    aws_request_id: str = "req-123"


@pytest.fixture(autouse=True)
def test_settings(monkeypatch):
    monkeypatch.setenv("STAGE", "local")
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://app.example.com")
    deps.settings.cache_clear()
    yield
    deps.settings.cache_clear()


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the Powertools logger writes, formatted as in Lambda (one JSON object per line)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def _event(body: dict | None = None, **headers: str) -> dict:
    return {
        "httpMethod": "POST",
        "resource": "/auth/login",
        "headers": {"Content-Type": "application/json", **headers},
        "body": json.dumps(body) if body is not None else None,
        "requestContext": {"requestId": "apigw-req-1", "identity": {"sourceIp": "203.0.113.5"}},
    }


def test_success_passes_through_with_cors():
    handler = _api.api_handler(lambda event, context: json_response(200, {"ok": True}))
    response = handler(_event({}, Origin="https://app.example.com"), FakeContext())
    assert response["statusCode"] == 200
    assert response["headers"]["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_api_error_becomes_the_error_shape():
    def handler_body(event, context):
        raise errors.validation_error("email", "must be a valid email address")

    response = _api.api_handler(handler_body)(_event({}), FakeContext())
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"]["details"] == {
        "field": "email",
        "reason": "must be a valid email address",
    }


def test_unexpected_exception_is_a_bare_500_without_its_text(log_output):
    def handler_body(event, context):
        raise RuntimeError("table arn:aws:dynamodb:... exploded near user alice@example.com")

    response = _api.api_handler(handler_body)(_event({}), FakeContext())
    assert response["statusCode"] == 500
    assert json.loads(response["body"]) == {
        "error": {"code": "internal_error", "message": "An internal error occurred."}
    }
    assert "exploded" not in response["body"]
    assert "unhandled error" in log_output.getvalue()  # the detail goes to the log only


def test_logs_are_json_with_request_ids_and_never_the_body_or_headers(log_output):
    def handler_body(event, context):
        body = parse_json_body(event)
        raise errors.invalid_credentials() if body["password"] else errors.internal_error()

    event = _event(
        {"email": "a@example.com", "password": SECRET_PASSWORD}, Authorization="Bearer abc.def.ghi"
    )
    response = _api.api_handler(handler_body)(event, FakeContext())
    assert response["statusCode"] == 401
    output = log_output.getvalue()
    assert SECRET_PASSWORD not in output
    assert "abc.def.ghi" not in output
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert records, output
    completed = next(record for record in records if record["message"] == "request completed")
    assert completed["function_request_id"] == "req-123"
    assert completed["correlation_id"] == "apigw-req-1"
    assert completed["status"] == 401


def test_principal_requires_the_authorizer_context():
    with pytest.raises(errors.ApiError) as excinfo:
        _api.principal({"requestContext": {}})
    assert excinfo.value.code == "unauthorized"
    context = {"requestContext": {"authorizer": {"userId": "u1", "sessionId": "s1", "principalId": "u1"}}}
    assert _api.principal(context) == ("u1", "s1")
