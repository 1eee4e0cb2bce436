"""CORS preflight answers, binary media type matching, stage throttling (pure unit tests)."""

from __future__ import annotations

from emulator.apigateway.binary import BinaryMediaTypes
from emulator.apigateway.cors import CorsPreflight, allowed_methods_for
from emulator.apigateway.throttling import StageThrottle, TokenBucket
from emulator.template.model import CorsConfig, ThrottleSettings


def test_default_allow_methods_are_the_paths_methods_plus_options() -> None:
    assert allowed_methods_for(["POST", "GET"]) == "GET,OPTIONS,POST"
    assert allowed_methods_for(["ANY"]) == "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"


def test_preflight_headers_from_config() -> None:
    config = CorsConfig(
        allow_origin="https://a.example", allow_headers="Content-Type", max_age=60, allow_credentials=True
    )
    preflight = CorsPreflight(config, {"/a": ["GET", "OPTIONS"]})
    response = preflight.respond("/a")
    assert response.status == 200
    assert response.header("Access-Control-Allow-Origin") == "https://a.example"
    assert response.header("Access-Control-Allow-Methods") == "GET,OPTIONS"
    assert response.header("Access-Control-Allow-Headers") == "Content-Type"
    assert response.header("Access-Control-Max-Age") == "60"
    assert response.header("Access-Control-Allow-Credentials") == "true"


def test_configured_allow_methods_win() -> None:
    preflight = CorsPreflight(CorsConfig(allow_origin="*", allow_methods="GET"), {"/a": ["GET", "POST"]})
    assert preflight.respond("/a").header("Access-Control-Allow-Methods") == "GET"
    assert preflight.respond("/a").header("Access-Control-Allow-Credentials") is None


def test_binary_media_type_wildcards() -> None:
    types = BinaryMediaTypes(("image/*", "application~1octet-stream"))
    assert types.request_is_binary("image/png")
    assert types.request_is_binary("IMAGE/JPEG; q=1")
    assert types.request_is_binary("application/octet-stream")
    assert not types.request_is_binary("application/json")
    assert not types.request_is_binary(None)
    assert BinaryMediaTypes(("*/*",)).request_is_binary("text/plain")
    # Responses: the first Accept type decides.
    assert types.response_is_binary("image/png, application/json")
    assert not types.response_is_binary("application/json, image/png")


def test_token_bucket_burst_then_empty() -> None:
    bucket = TokenBucket(rate_per_s=0.0, burst=2)
    assert [bucket.take() for _ in range(3)] == [True, True, False]


def test_most_specific_throttle_rule_applies() -> None:
    throttle = StageThrottle(
        [
            ThrottleSettings(rate_limit=0.0, burst_limit=1, resource_path="/~1limited", http_method="GET"),
            ThrottleSettings(rate_limit=0.0, burst_limit=100),
        ]
    )
    assert throttle.allow("/limited", "GET")
    assert not throttle.allow("/limited", "GET")
    assert throttle.allow("/limited", "POST")  # the stage-wide rule
    assert throttle.allow("/other", "GET")
    assert not StageThrottle([])  # no rules: falsy, never throttles


def test_stage_wide_limits_apply_per_method() -> None:
    throttle = StageThrottle([ThrottleSettings(rate_limit=0.0, burst_limit=1)])
    assert throttle.allow("/a", "GET")
    assert not throttle.allow("/a", "GET")
    # Another method of the stage has its own bucket with the same limits.
    assert throttle.allow("/a", "POST")
    assert throttle.allow("/b", "GET")
    assert not throttle.allow("/b", "GET")
