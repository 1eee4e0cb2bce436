"""Routes without authentication: health, the service's JWKS, CORS preflight, unknown routes."""

from __future__ import annotations

import jwt

from tests.integration.api import Api, assert_no_stack_trace


def test_health(api: Api):
    response = api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_jwks_lists_es256_signing_keys_with_kid(api: Api):
    response = api.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert keys, "the JWKS must list at least one key"
    for key in keys:
        assert key["kid"]
        assert key["alg"] == "ES256"
        assert key["kty"] == "EC"
        assert key["crv"] == "P-256"
        assert "d" not in key, "a private key component is published"
        jwt.PyJWK.from_dict(key)  # parses as a usable public key
    assert len({key["kid"] for key in keys}) == len(keys)


def test_access_tokens_are_signed_by_a_published_key(api: Api):
    tokens = api.login(api.new_account("jwks"))
    header = jwt.get_unverified_header(tokens.access)
    assert header["alg"] == "ES256"
    keys = {key["kid"]: key for key in api.get("/.well-known/jwks.json").json()["keys"]}
    assert header["kid"] in keys
    claims = jwt.decode(
        tokens.access,
        jwt.PyJWK.from_dict(keys[header["kid"]]).key,
        algorithms=["ES256"],
        options={"verify_aud": False},
    )
    for claim in ("iss", "aud", "sub", "sid", "jti", "iat", "exp"):
        assert claim in claims, f"access token lacks {claim}"
    assert claims["sid"] == tokens.session_id
    assert claims["exp"] - claims["iat"] == tokens.body["expiresIn"]


def test_unknown_route_is_refused_without_a_stack_trace(api: Api):
    response = api.get("/definitely/not/a/route")
    assert response.status_code in (403, 404)
    assert_no_stack_trace(response)


def test_cors_preflight_for_an_allowed_origin(api: Api):
    origin = "https://app.example.com"
    response = api.request(
        "OPTIONS",
        "/auth/login",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization",
        },
    )
    assert response.status_code in (200, 204), response.text
    assert response.headers.get("Access-Control-Allow-Origin") in ("*", origin), response.headers
    allowed_methods = response.headers.get("Access-Control-Allow-Methods", "").upper()
    assert "POST" in allowed_methods, response.headers
    allowed_headers = response.headers.get("Access-Control-Allow-Headers", "").lower()
    assert "authorization" in allowed_headers, response.headers
    assert "content-type" in allowed_headers, response.headers


def test_cors_preflight_of_a_protected_route_needs_no_token(api: Api):
    response = api.request(
        "OPTIONS",
        "/users/me",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "PATCH"},
    )
    assert response.status_code in (200, 204), response.text
    assert "PATCH" in response.headers.get("Access-Control-Allow-Methods", "").upper()


def test_actual_responses_carry_the_cors_origin_header(api: Api):
    response = api.request("GET", "/health", headers={"Origin": "https://app.example.com"})
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") in ("*", "https://app.example.com")
