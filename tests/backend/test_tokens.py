from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from auth_service import tokens
from auth_service.signing_keys import SigningKey, thumbprint
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISSUER, AUDIENCE = "ios-auth-backend", "ios-app"


def _key() -> SigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    return SigningKey(kid=thumbprint(private.public_key()), private_key=private, created_at="")


@pytest.fixture
def key() -> SigningKey:
    return _key()


def _mint(key: SigningKey, *, now: int | None = None, ttl_s: int = 900) -> str:
    return tokens.mint_access_token(
        key,
        user_id="user-1",
        session_id="a" * 32,
        issuer=ISSUER,
        audience=AUDIENCE,
        now=int(time.time()) if now is None else now,
        ttl_s=ttl_s,
    )


def _verify(token: str, key: SigningKey, *, issuer: str = ISSUER, audience: str = AUDIENCE):
    return tokens.verify_access_token(
        token, find_key=lambda kid: key if kid == key.kid else None, issuer=issuer, audience=audience
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict, dict, str]:
    header_b64, payload_b64, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header_b64))),
        json.loads(base64.urlsafe_b64decode(pad(payload_b64))),
        signature,
    )


def test_minted_token_has_kid_and_all_claims_and_verifies(key):
    token = _mint(key, ttl_s=900)
    header, claims, _ = _parts(token)
    assert header == {"alg": "ES256", "kid": key.kid, "typ": "at+jwt"}
    assert set(claims) == {"iss", "aud", "sub", "sid", "jti", "iat", "exp", "email_verified"}
    assert claims["email_verified"] is False
    assert claims["exp"] - claims["iat"] == 900
    verified = _verify(token, key)
    assert (verified.user_id, verified.session_id) == ("user-1", "a" * 32)


def test_each_token_has_its_own_jti(key):
    assert _parts(_mint(key))[1]["jti"] != _parts(_mint(key))[1]["jti"]


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_refused(key, alg):
    header, claims, _ = _parts(_mint(key))
    unsigned = f"{_b64(json.dumps({**header, 'alg': alg}).encode())}.{_b64(json.dumps(claims).encode())}."
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(unsigned, key)


def test_hs256_keyed_with_the_public_key_is_refused(key):
    header, claims, _ = _parts(_mint(key))
    public_pem = key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = (
        f"{_b64(json.dumps({**header, 'alg': 'HS256'}).encode())}.{_b64(json.dumps(claims).encode())}"
    )
    import hashlib
    import hmac

    for secret in (public_pem, json.dumps(key.jwk()).encode()):
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        with pytest.raises(tokens.InvalidAccessToken):
            _verify(f"{signing_input}.{_b64(signature)}", key)


def test_token_signed_by_another_key_under_the_same_kid_is_refused(key):
    impostor = SigningKey(kid=key.kid, private_key=ec.generate_private_key(ec.SECP256R1()), created_at="")
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(_mint(impostor), key)


def test_rs256_token_is_refused(key):
    _, claims, _ = _parts(_mint(key))
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": key.kid})
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(forged, key)


def test_expired_token_is_refused(key):
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(_mint(key, now=int(time.time()) - 3600, ttl_s=900), key)


def test_token_issued_in_the_future_is_refused(key):
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(_mint(key, now=int(time.time()) + 3600), key)


def test_wrong_issuer_or_audience_is_refused(key):
    token = _mint(key)
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(token, key, issuer="someone-else")
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(token, key, audience="another-app")


def test_tampered_payload_is_refused(key):
    header_b64, _, signature = _mint(key).split(".")
    _, claims, _ = _parts(_mint(key))
    forged_payload = _b64(json.dumps({**claims, "sub": "admin"}).encode())
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(f"{header_b64}.{forged_payload}.{signature}", key)


def test_unknown_or_missing_kid_is_refused(key):
    other = _key()
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(_mint(other), key)
    _, claims, _ = _parts(_mint(key))
    no_kid = jwt.encode(claims, key.private_key, algorithm="ES256")
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(no_kid, key)


def test_missing_session_claim_is_refused(key):
    _, claims, _ = _parts(_mint(key))
    del claims["sid"]
    token = jwt.encode(claims, key.private_key, algorithm="ES256", headers={"kid": key.kid})
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(token, key)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "a.b", "....", "Bearer x"])
def test_garbage_is_refused(key, garbage):
    with pytest.raises(tokens.InvalidAccessToken):
        _verify(garbage, key)


def test_refresh_token_format_names_its_session_and_carries_256_bits():
    session_id = tokens.new_session_id()
    token = tokens.new_refresh_token(session_id)
    prefix, _, secret = token.partition(".")
    assert prefix == session_id
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32
    assert tokens.refresh_token_session_id(token) == session_id
    assert tokens.new_refresh_token(session_id) != token


def test_refresh_token_is_stored_as_sha256_hex():
    token = tokens.new_refresh_token(tokens.new_session_id())
    digest = tokens.hash_refresh_token(token)
    assert len(digest) == 64
    assert token not in digest
    assert digest == tokens.hash_refresh_token(token)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "no-dot",
        "a" * 32,
        "a" * 32 + ".",
        "A" * 32 + "." + "x" * 43,
        "a" * 32 + ".short",
        "a" * 32 + "." + "!" * 43,
    ],
)
def test_malformed_refresh_tokens_have_no_session(bad):
    assert tokens.refresh_token_session_id(bad) is None
