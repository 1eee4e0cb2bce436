from __future__ import annotations

import time

import jwt
import pytest
from auth_service.errors import ApiError
from auth_service.google_tokens import GoogleTokenVerifier
from auth_service.jwks import KeySourceUnavailable
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISSUER = "https://securetoken.google.com/demo-ios-auth"
AUDIENCE = "demo-ios-auth"
KID = "idp-key-1"
IDP_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _resolve(kid: str):
    if kid != KID:
        raise LookupError(kid)
    return IDP_KEY.public_key()


VERIFIER = GoogleTokenVerifier(resolve_key=_resolve, issuers=[ISSUER], audiences=[AUDIENCE, "ios-client-id"])


def _claims(**changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "google-sub-1",
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
        "email": "Ada@Example.com",
        "email_verified": True,
        "name": "Ada",
        "firebase": {"sign_in_provider": "google.com"},
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _token(key=IDP_KEY, algorithm: str = "RS256", headers: dict | None = None, **changes) -> str:
    return jwt.encode(
        _claims(**changes), key, algorithm=algorithm, headers={"kid": KID} if headers is None else headers
    )


def _refused(token: str) -> ApiError:
    with pytest.raises(ApiError) as excinfo:
        VERIFIER.verify(token)
    assert (excinfo.value.status, excinfo.value.code) == (401, "invalid_id_token")
    return excinfo.value


def test_valid_token_gives_the_identity_with_normalised_email():
    identity = VERIFIER.verify(_token())
    assert (identity.sub, identity.email, identity.name) == ("google-sub-1", "ada@example.com", "Ada")
    assert VERIFIER.verify(_token(aud="ios-client-id")).sub == "google-sub-1"


def test_alg_none_is_refused():
    _refused(jwt.encode(_claims(), None, algorithm="none", headers={"kid": KID}))


def test_hs256_with_the_public_key_is_refused():
    from cryptography.hazmat.primitives import serialization

    pem = IDP_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = (
        f"{b64(json.dumps({'alg': 'HS256', 'kid': KID}).encode())}.{b64(json.dumps(_claims()).encode())}"
    )
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    _refused(f"{signing_input}.{b64(signature)}")


def test_es256_is_refused():
    _refused(_token(key=ec.generate_private_key(ec.SECP256R1()), algorithm="ES256"))


def test_token_signed_by_another_key_is_refused():
    _refused(_token(key=rsa.generate_private_key(public_exponent=65537, key_size=2048)))


def test_kid_is_required_and_must_be_known():
    _refused(_token(headers={}))
    _refused(_token(headers={"kid": "rotated-away"}))


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://securetoken.google.com/another-project"},
        {"aud": "another-project"},
        {"exp": int(time.time()) - 3600},
        {"iat": int(time.time()) + 3600},
        {"exp": None},
        {"iat": None},
        {"sub": ""},
        {"sub": None},
        {"email": None},
        {"email_verified": False},
        {"email_verified": "true"},
        {"email_verified": None},
    ],
)
def test_bad_claims_are_refused(changes):
    _refused(_token(**changes))


def test_unconfigured_verifier_refuses_everything():
    verifier = GoogleTokenVerifier(resolve_key=_resolve, issuers=[], audiences=[])
    with pytest.raises(ApiError):
        verifier.verify(_token())


def test_unreachable_jwks_is_a_500_not_a_client_error():
    def unreachable(kid: str):
        raise KeySourceUnavailable("connection refused")

    verifier = GoogleTokenVerifier(resolve_key=unreachable, issuers=[ISSUER], audiences=[AUDIENCE])
    with pytest.raises(ApiError) as excinfo:
        verifier.verify(_token())
    assert (excinfo.value.status, excinfo.value.code) == (500, "internal_error")
