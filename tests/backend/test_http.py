from __future__ import annotations

import base64
import json

import pytest
from auth_service import errors
from auth_service.http import (
    MAX_BODY_BYTES,
    cors_headers,
    empty_response,
    error_response,
    header,
    json_response,
    parse_json_body,
    source_ip,
)


def _event(body: str | None, content_type: str | None = "application/json", **extra) -> dict:
    headers = {"Content-Type": content_type} if content_type else {}
    return {"body": body, "headers": headers, "isBase64Encoded": False, **extra}


def test_json_object_body_is_parsed():
    assert parse_json_body(_event('{"email": "a@b.co"}')) == {"email": "a@b.co"}
    assert parse_json_body(_event("{}", "application/json; charset=utf-8")) == {}
    assert parse_json_body(_event('{"a": 1}', "application/merge-patch+json")) == {"a": 1}


def test_header_lookup_is_case_insensitive():
    event = {"headers": {"content-TYPE": "application/json"}}
    assert header(event, "Content-Type") == "application/json"
    assert header({"headers": None, "multiValueHeaders": {"Origin": ["https://a"]}}, "origin") == "https://a"
    assert header({}, "Origin") is None


@pytest.mark.parametrize("body", ["{bad", '{"a": 1', "[1, 2", "NaN", '{"a": NaN}', "\ufeff{}"])
def test_malformed_json_is_400_invalid_json(body):
    with pytest.raises(errors.ApiError) as excinfo:
        parse_json_body(_event(body))
    assert (excinfo.value.status, excinfo.value.code) == (400, "invalid_json")


@pytest.mark.parametrize("depth", [5_000, 8_000])
def test_deeply_nested_json_is_400_invalid_json(depth):
    # Within the 16 KB body limit, deep enough to exhaust the decoder's recursion (was a 500).
    body = "[" * depth + "]" * depth
    assert len(body) <= MAX_BODY_BYTES
    with pytest.raises(errors.ApiError) as excinfo:
        parse_json_body(_event(body))
    assert (excinfo.value.status, excinfo.value.code) == (400, "invalid_json")


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null"])
def test_non_object_json_is_a_validation_error_on_body(body):
    with pytest.raises(errors.ApiError) as excinfo:
        parse_json_body(_event(body))
    assert excinfo.value.code == "validation_error"
    assert excinfo.value.details["field"] == "body"


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_wrong_or_missing_content_type_is_415(content_type):
    with pytest.raises(errors.ApiError) as excinfo:
        parse_json_body(_event('{"a": 1}', content_type))
    assert (excinfo.value.status, excinfo.value.code) == (415, "unsupported_media_type")


def test_missing_body_is_required_unless_optional():
    with pytest.raises(errors.ApiError) as excinfo:
        parse_json_body(_event(None, None))
    assert excinfo.value.details["field"] == "body"
    assert parse_json_body(_event(None, None), optional=True) == {}
    assert parse_json_body(_event("", None), optional=True) == {}


def test_oversize_body_is_refused():
    body = json.dumps({"displayName": "x" * MAX_BODY_BYTES})
    with pytest.raises(errors.ApiError) as excinfo:
        parse_json_body(_event(body))
    assert excinfo.value.details["field"] == "body"


def test_base64_encoded_body_is_decoded():
    event = _event(base64.b64encode(b'{"a": 1}').decode(), isBase64Encoded=True)
    assert parse_json_body(event) == {"a": 1}
    with pytest.raises(errors.ApiError):
        parse_json_body(_event("***", isBase64Encoded=True))


def test_source_ip_comes_from_the_request_context():
    assert source_ip({"requestContext": {"identity": {"sourceIp": "203.0.113.9"}}}) == "203.0.113.9"
    assert source_ip({}) == "unknown"


def test_error_response_has_the_one_shape_and_no_store():
    response = error_response(errors.validation_error("email", "must be a valid email address"))
    assert response["statusCode"] == 400
    assert response["headers"]["Content-Type"].startswith("application/json")
    assert response["headers"]["Cache-Control"] == "no-store"
    assert json.loads(response["body"]) == {
        "error": {
            "code": "validation_error",
            "message": "Invalid field 'email': must be a valid email address",
            "details": {"field": "email", "reason": "must be a valid email address"},
        }
    }


def test_error_without_details_omits_the_key():
    assert json.loads(error_response(errors.invalid_credentials())["body"]) == {
        "error": {"code": "invalid_credentials", "message": "The email or password is incorrect."}
    }


def test_429_errors_carry_retry_after():
    for error in (errors.account_locked(3), errors.rate_limited(0)):
        response = error_response(error)
        assert response["statusCode"] == 429
        assert int(response["headers"]["Retry-After"]) >= 1


def test_internal_error_is_generic():
    body = json.loads(error_response(errors.internal_error())["body"])
    assert body == {"error": {"code": "internal_error", "message": "An internal error occurred."}}


@pytest.mark.parametrize(
    ("factory", "status", "code"),
    [
        (errors.invalid_json, 400, "invalid_json"),
        (errors.unsupported_media_type, 415, "unsupported_media_type"),
        (errors.email_taken, 409, "email_taken"),
        (errors.unauthorized, 401, "unauthorized"),
        (errors.invalid_refresh_token, 401, "invalid_refresh_token"),
        (errors.refresh_token_reused, 401, "refresh_token_reused"),
        (errors.invalid_id_token, 401, "invalid_id_token"),
        (errors.not_found, 404, "not_found"),
    ],
)
def test_contract_codes_and_statuses(factory, status, code):
    error = factory()
    assert (error.status, error.code) == (status, code)


def test_json_and_empty_responses():
    response = json_response(200, {"status": "ok"}, headers={"Cache-Control": "public, max-age=300"})
    assert response["body"] == '{"status":"ok"}'
    assert response["headers"]["Cache-Control"] == "public, max-age=300"
    assert response["isBase64Encoded"] is False
    empty = empty_response(204)
    assert empty["statusCode"] == 204
    assert empty["body"] == ""
    assert "Content-Type" not in empty["headers"]


def test_cors_headers():
    assert cors_headers("https://evil.example", ("*",)) == {"Access-Control-Allow-Origin": "*"}
    allowed = ("https://app.example.com",)
    assert (
        cors_headers("https://app.example.com", allowed)["Access-Control-Allow-Origin"]
        == "https://app.example.com"
    )
    assert "Access-Control-Allow-Origin" not in cors_headers("https://evil.example", allowed)
    assert cors_headers(None, ()) == {}
