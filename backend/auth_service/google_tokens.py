"""Verification of Google / Firebase ID tokens, by signature, against the issuer's JWKS.

The seed trusted a client-sent ``firebaseUid``; here the app sends the ID token itself and we
check it the way Firebase documents ("Verify ID tokens using a third-party JWT library"):
RS256 only (``alg: none`` and HMAC are refused before any key lookup), a ``kid`` naming a key
of the configured JWKS, ``iss`` in GOOGLE_ISSUERS, ``aud`` in GOOGLE_AUDIENCES, ``exp`` in the
future, ``iat`` not in the future, a non-empty ``sub``, and a verified email (we link
accounts by email, so an unverified one must never be accepted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auth_service.errors import invalid_id_token
from auth_service.jwks import KeyResolver, decode_provider_token

MAX_SUB_LENGTH = 255


@dataclass(frozen=True)
class GoogleIdentity:
    sub: str
    email: str
    name: str


class GoogleTokenVerifier:
    def __init__(self, *, resolve_key: KeyResolver, issuers: Sequence[str], audiences: Sequence[str]) -> None:
        self._resolve_key = resolve_key
        self._issuers = tuple(issuers)
        self._audiences = tuple(audiences)

    def verify(self, id_token: str) -> GoogleIdentity:
        if not self._issuers or not self._audiences:
            raise invalid_id_token("Google sign-in is not configured.")
        claims = decode_provider_token(
            id_token,
            resolve_key=self._resolve_key,
            issuers=self._issuers,
            audiences=self._audiences,
            what="The ID token",
        )
        return _identity(claims)


def _identity(claims: dict[str, Any]) -> GoogleIdentity:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUB_LENGTH:
        raise invalid_id_token("The ID token has no subject.")
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise invalid_id_token("The ID token carries no email address.")
    if claims.get("email_verified") is not True:
        raise invalid_id_token("The ID token's email address is not verified.")
    name = claims.get("name")
    return GoogleIdentity(sub=sub, email=email.strip().lower(), name=name if isinstance(name, str) else "")
