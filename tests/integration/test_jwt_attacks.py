"""Forged access tokens against /auth/validate (and a protected route): every one is a 401."""

from __future__ import annotations

import time

import pytest

from tests.integration import forge
from tests.integration.api import Api, Tokens, assert_unauthorized


@pytest.fixture
def victim(api: Api) -> Tokens:
    tokens = api.login(api.new_account("victim"))
    assert api.validate(tokens.access).status_code == 200  # the genuine token works
    return tokens


@pytest.fixture
def server_jwks(api: Api) -> list[dict]:
    return api.get("/.well-known/jwks.json").json()["keys"]


def _assert_refused(api: Api, token: str) -> None:
    assert_unauthorized(api.validate(token))
    assert_unauthorized(api.get("/users/me", token=token))


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_is_refused(api: Api, victim: Tokens, alg: str):
    _assert_refused(api, forge.unsigned(victim.access, alg))


def test_alg_none_keeping_the_original_signature_is_refused(api: Api, victim: Tokens):
    stripped = forge.unsigned(victim.access)
    _assert_refused(api, stripped + victim.access.rsplit(".", 1)[1])


def test_hs256_keyed_with_the_servers_public_key_is_refused(
    api: Api, victim: Tokens, server_jwks: list[dict]
):
    kid = forge.split(victim.access)[0]["kid"]
    jwk = next(key for key in server_jwks if key["kid"] == kid)
    for secret in forge.public_key_secrets(jwk):
        _assert_refused(api, forge.hs256_with_secret(victim.access, secret))


def test_token_signed_by_another_es256_key_with_the_same_kid_is_refused(api: Api, victim: Tokens):
    _assert_refused(api, forge.resigned_es256(victim.access))


def test_token_signed_by_another_rs256_key_with_the_same_kid_is_refused(api: Api, victim: Tokens):
    _assert_refused(api, forge.resigned_rs256(victim.access))


def test_tampered_payload_with_the_original_signature_is_refused(api: Api, make_api, victim: Tokens):
    other = make_api().new_account("other")
    _assert_refused(api, forge.tampered_payload(victim.access, sub=other.user["userId"]))
    _assert_refused(api, forge.tampered_payload(victim.access, exp=int(time.time()) + 30 * 24 * 3600))


def test_unknown_kid_is_refused(api: Api, victim: Tokens):
    _header_b64, payload_b64, signature = victim.access.split(".")
    header = forge.split(victim.access)[0]
    forged_header = forge.b64url_json({**header, "kid": "not-a-published-kid"})
    _assert_refused(api, f"{forged_header}.{payload_b64}.{signature}")


def test_truncated_and_garbled_tokens_are_refused(api: Api, victim: Tokens):
    header_b64, payload_b64, signature = victim.access.split(".")
    for token in (
        f"{header_b64}.{payload_b64}",
        f"{header_b64}.{payload_b64}.",
        f"{header_b64}.{payload_b64}.{signature[:-4]}",
        f"{payload_b64}.{header_b64}.{signature}",
        victim.access + "x",
    ):
        _assert_refused(api, token)


# -- validly signed tokens with bad claims ------------------------------------------------------
# A token with a wrong iss/aud or a past exp that is *not* signed by the server's key is refused
# for its signature alone, which would prove nothing about the claim checks. Signing with the
# server's own key needs that key: only the embedded stack lets the suite read it (from the
# embedded Secrets Manager, the way an operator with AWS access could); these tests are not
# collected against other targets.


def _server_private_key(secretsmanager, kid: str):
    import json

    from cryptography.hazmat.primitives import serialization

    for page in secretsmanager.get_paginator("list_secrets").paginate():
        for secret in page["SecretList"]:
            value = secretsmanager.get_secret_value(SecretId=secret["ARN"]).get("SecretString") or ""
            try:
                entries = json.loads(value).get("keys", [])
            except (ValueError, AttributeError):
                continue
            for entry in entries:
                if isinstance(entry, dict) and entry.get("kid") == kid and "privateKeyPem" in entry:
                    return serialization.load_pem_private_key(entry["privateKeyPem"].encode(), password=None)
    raise AssertionError(f"no secret in the embedded Secrets Manager holds the private key of kid {kid}")


@pytest.fixture
def resign(sam_aws, victim: Tokens):
    """Re-sign the victim's claims (changed) with the server's real key."""
    import jwt

    header, claims, _ = forge.split(victim.access)
    key = _server_private_key(sam_aws.client("secretsmanager"), header["kid"])

    def sign(**changes) -> str:
        return jwt.encode({**claims, **changes}, key, algorithm="ES256", headers={"kid": header["kid"]})

    return sign


@pytest.mark.embedded_only
def test_resigning_unchanged_claims_is_accepted(api: Api, resign):
    """The control: the forging fixture itself makes tokens the server accepts."""
    assert api.validate(resign()).status_code == 200


@pytest.mark.embedded_only
@pytest.mark.parametrize(
    "changes",
    [
        {"exp": int(time.time()) - 60},
        {"iss": "https://evil.example.com"},
        {"aud": "some-other-app"},
        {"sid": "not-a-session"},
        {"sub": "not-a-user"},
    ],
    ids=["expired", "wrong-iss", "wrong-aud", "unknown-session", "unknown-user"],
)
def test_validly_signed_tokens_with_bad_claims_are_refused(api: Api, resign, changes: dict):
    _assert_refused(api, resign(**changes))
