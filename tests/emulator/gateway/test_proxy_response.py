"""API Gateway's treatment of a Lambda proxy response (pure unit tests)."""

from __future__ import annotations

import base64

import pytest

from emulator.apigateway.binary import BinaryMediaTypes
from emulator.apigateway.proxy_response import MalformedProxyResponse, error_response_for, translate
from emulator.lambda_runtime.api import InvocationError, InvocationResult

NO_BINARY = BinaryMediaTypes(())
PNG_BINARY = BinaryMediaTypes(("image/*",))


def test_default_content_type_is_json() -> None:
    response = translate({"statusCode": 200, "body": "{}"}, accept=None, binary_media_types=NO_BINARY)
    assert response.status == 200
    assert response.header("Content-Type") == "application/json"
    assert response.body == b"{}"


def test_headers_and_multi_value_headers_are_merged_into_one_list() -> None:
    """AWS: "API Gateway merges them into a single list. If the same key-value pair is specified in
    both, only the values from multiValueHeaders will appear in the merged list"."""
    response = translate(
        {
            "statusCode": 200,
            "headers": {"X-One": "1", "Set-Cookie": "c=3", "X-Num": 5, "X-Same": "b"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "x-same": ["a", "b"]},
            "body": None,
        },
        accept=None,
        binary_media_types=NO_BINARY,
    )
    cookies = [value for name, value in response.headers if name == "Set-Cookie"]
    assert cookies == ["a=1", "b=2", "c=3"]
    assert [value for name, value in response.headers if name.lower() == "x-same"] == ["a", "b"]
    assert ("X-Num", "5") in response.headers
    assert response.body == b""


@pytest.mark.parametrize(
    ("payload", "status", "body"),
    [
        ({"statusCode": "201", "body": "x"}, 201, b"x"),  # bound as a number, as AWS does
        ({"statusCode": 200.0, "body": "x"}, 200, b"x"),
        ({"body": "x"}, 200, b"x"),  # no statusCode: 200
        ({"statusCode": 200, "body": 42}, 200, b"42"),  # a number body is its text
        ({"statusCode": 200, "body": 1.5}, 200, b"1.5"),
        ({"statusCode": 200, "body": True}, 200, b"true"),
        ({}, 200, b""),
    ],
)
def test_lenient_binding_of_status_and_body(payload: dict, status: int, body: bytes) -> None:
    response = translate(payload, accept=None, binary_media_types=NO_BINARY)
    assert (response.status, response.body) == (status, body)


@pytest.mark.parametrize(
    "payload",
    [
        ["not", "a", "dict"],
        "text",
        None,
        {"statusCode": 200, "body": "x", "cookies": []},
        {"statusCode": 200, "body": {"a": 1}},
        {"statusCode": 200, "body": ["a"]},
        {"statusCode": "abc", "body": "x"},
        {"statusCode": "99", "body": "x"},
        {"statusCode": True, "body": "x"},
        {"statusCode": 200, "headers": {"X": {"nested": 1}}},
        {"statusCode": 200, "multiValueHeaders": {"X": "not-a-list"}},
        {"statusCode": 200, "isBase64Encoded": "yes"},
    ],
)
def test_malformed_responses_are_refused(payload: object) -> None:
    with pytest.raises(MalformedProxyResponse):
        translate(payload, accept=None, binary_media_types=NO_BINARY)


def test_base64encoded_is_read_too_and_wins_over_is_base64_encoded() -> None:
    payload = {"statusCode": 200, "body": base64.b64encode(b"\x89PNG").decode()}
    both = {**payload, "base64Encoded": True, "isBase64Encoded": False}
    assert translate(both, accept="image/png", binary_media_types=PNG_BINARY).body == b"\x89PNG"


def test_base64_body_is_decoded_only_when_accept_is_binary() -> None:
    raw = b"\x89PNG\x00\xff"
    payload = {"statusCode": 200, "body": base64.b64encode(raw).decode(), "isBase64Encoded": True}
    decoded = translate(payload, accept="image/png", binary_media_types=PNG_BINARY)
    assert decoded.body == raw
    as_text = translate(payload, accept="application/json", binary_media_types=PNG_BINARY)
    assert as_text.body == base64.b64encode(raw)


def test_lambda_throttle_is_500_and_other_errors_502() -> None:
    def failed(kind: str) -> InvocationResult:
        return InvocationResult("id", error=InvocationError(kind, "T", "m"))  # type: ignore[arg-type]

    assert error_response_for(failed("Throttled")).status == 500
    for kind in ("Unhandled", "TimedOut", "Crashed", "MarshalError", "InitError"):
        response = error_response_for(failed(kind))
        assert response.status == 502
        assert response.body == b'{"message": "Internal server error"}'


def test_connection_level_headers_are_remapped() -> None:
    response = translate(
        {
            "statusCode": 200,
            "headers": {"Content-Length": "999", "Date": "yesterday", "X-Ok": "1"},
            "body": "hi",
        },
        accept=None,
        binary_media_types=NO_BINARY,
    )
    assert ("x-amzn-Remapped-Content-Length", "999") in response.headers
    assert ("x-amzn-Remapped-Date", "yesterday") in response.headers
    assert response.header("Content-Length") is None
    assert ("X-Ok", "1") in response.headers
