"""Minting Firebase-shaped Google sign-in ID tokens.

A Firebase Auth ID token (what the iOS app gets from ``Auth.auth().currentUser?.getIDToken()``
after "Sign in with Google") is an RS256 JWT whose header carries the signing key's ``kid``
and whose claims are: ``iss`` = ``https://securetoken.google.com/<project>``, ``aud`` = the
project id, ``sub`` = ``user_id`` = the Firebase uid, ``iat``, ``exp`` (one hour later),
``auth_time``, ``email``, ``email_verified`` and ``firebase.sign_in_provider`` =
``"google.com"`` with the Google account id under ``firebase.identities``.
(Firebase docs, "Verify ID tokens using a third-party JWT library".)
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from emulator.idp.keys import SigningKey

DEFAULT_PROJECT_ID = "demo-ios-auth"
DEFAULT_ISSUER = f"https://securetoken.google.com/{DEFAULT_PROJECT_ID}"
DEFAULT_AUDIENCE = DEFAULT_PROJECT_ID
DEFAULT_EXPIRES_IN_S = 3600  # Firebase ID tokens live one hour
MAX_ABS_EXPIRES_IN_S = 366 * 24 * 3600
MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit
MAX_TEXT_LENGTH = 256

_ALLOWED_FIELDS = ("email", "emailVerified", "name", "sub", "audience", "issuer", "expiresIn")


class TokenRequestError(ValueError):
    """A bad ``POST /token`` body; ``field`` names the offending field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def json_object(body: Any, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    """``body`` if a JSON object with only ``allowed`` fields; else TokenRequestError naming the field."""
    if not isinstance(body, Mapping):
        raise TokenRequestError("body", "must be a JSON object")
    for key in body:
        if key not in allowed:
            raise TokenRequestError(str(key), f"unknown field; allowed: {', '.join(allowed)}")
    return body


def email_field(body: Mapping[str, Any]) -> str:
    """The required ``email`` field, stripped."""
    email = body.get("email")
    if not isinstance(email, str) or "@" not in email.strip():
        raise TokenRequestError("email", "required, an email address")
    if len(email) > MAX_EMAIL_LENGTH:
        raise TokenRequestError("email", f"at most {MAX_EMAIL_LENGTH} characters")
    return email.strip()


@dataclass(frozen=True)
class TokenRequest:
    """What to put in one ID token; the optional overrides exist for negative tests."""

    email: str
    email_verified: bool = True
    name: str | None = None
    sub: str | None = None
    audience: str = DEFAULT_AUDIENCE
    issuer: str = DEFAULT_ISSUER
    expires_in: int = DEFAULT_EXPIRES_IN_S

    @classmethod
    def from_json(cls, body: Any) -> TokenRequest:
        body = json_object(body, _ALLOWED_FIELDS)
        email = email_field(body)
        email_verified = body.get("emailVerified", True)
        if not isinstance(email_verified, bool):
            raise TokenRequestError("emailVerified", "must be true or false")
        expires_in = body.get("expiresIn", DEFAULT_EXPIRES_IN_S)
        # bool is an int in Python; true/false as a lifetime is a mistake, not 1 or 0 seconds.
        if not isinstance(expires_in, int) or isinstance(expires_in, bool):
            raise TokenRequestError("expiresIn", "must be an integer number of seconds (negative: expired)")
        if abs(expires_in) > MAX_ABS_EXPIRES_IN_S:
            raise TokenRequestError("expiresIn", f"at most {MAX_ABS_EXPIRES_IN_S} seconds either way")
        texts: dict[str, str | None] = {}
        for field in ("name", "sub", "audience", "issuer"):
            value = body.get(field)
            if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT_LENGTH):
                raise TokenRequestError(field, f"must be a string of at most {MAX_TEXT_LENGTH} characters")
            texts[field] = value
        return cls(
            email=email,
            email_verified=email_verified,
            name=texts["name"],
            # An empty sub is kept as given: the backend must refuse it, and tests need to mint one.
            sub=texts["sub"],
            audience=texts["audience"] if texts["audience"] is not None else DEFAULT_AUDIENCE,
            issuer=texts["issuer"] if texts["issuer"] is not None else DEFAULT_ISSUER,
            expires_in=expires_in,
        )


def firebase_uid_for(email: str) -> str:
    """A stable 28-character Firebase-style uid per email, so one person signs in as one user."""
    digest = hashlib.sha256(b"firebase-uid:" + email.lower().encode("utf-8")).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(28):
        number, index = divmod(number, len(alphabet))
        chars.append(alphabet[index])
    return "".join(chars)


def google_account_id_for(email: str) -> str:
    """A stable 21-digit number, the shape of a Google account id (the ``sub`` of Google's own tokens)."""
    digest = hashlib.sha256(b"google-id:" + email.lower().encode("utf-8")).digest()
    return "1" + str(int.from_bytes(digest, "big"))[:20]


def build_claims(request: TokenRequest, *, now: int | None = None) -> dict[str, Any]:
    issued_at = int(time.time()) if now is None else now
    expires_at = issued_at + request.expires_in
    if request.expires_in <= 0:
        # An already expired token still looks like a real one that aged: issued an hour before expiry.
        issued_at = expires_at - DEFAULT_EXPIRES_IN_S
    uid = request.sub if request.sub is not None else firebase_uid_for(request.email)
    claims: dict[str, Any] = {
        "iss": request.issuer,
        "aud": request.audience,
        "auth_time": issued_at,
        "user_id": uid,
        "sub": uid,
        "iat": issued_at,
        "exp": expires_at,
        "email": request.email,
        "email_verified": request.email_verified,
        "firebase": {
            "identities": {
                "google.com": [google_account_id_for(request.email)],
                "email": [request.email],
            },
            "sign_in_provider": "google.com",
        },
    }
    if request.name is not None:
        claims["name"] = request.name
    return claims


def mint_id_token(key: SigningKey, request: TokenRequest, *, now: int | None = None) -> str:
    return jwt.encode(
        build_claims(request, now=now),
        key.private_key,
        algorithm="RS256",
        headers={"kid": key.kid, "typ": "JWT"},
    )
