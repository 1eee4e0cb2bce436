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

import jwt

from auth_service.errors import internal_error, invalid_id_token
from auth_service.jwks import KeyResolver, KeySourceUnavailable
from auth_service.log import logger

GOOGLE_ALGORITHM = "RS256"
CLOCK_LEEWAY_S = 10
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
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as exc:
            raise invalid_id_token("The ID token is malformed.") from exc
        if header.get("alg") != GOOGLE_ALGORITHM:
            raise invalid_id_token("The ID token must be signed with RS256.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise invalid_id_token("The ID token has no key id.")
        try:
            key = self._resolve_key(kid)
        except LookupError as exc:
            raise invalid_id_token("The ID token was signed by an unknown key.") from exc
        except KeySourceUnavailable as exc:
            # our dependency failed, not the client: a 500, without the URL or error text
            logger.error("identity provider JWKS unavailable", extra={"error": type(exc.__cause__).__name__})
            raise internal_error() from exc
        try:
            claims = jwt.decode(
                id_token,
                key,
                algorithms=[GOOGLE_ALGORITHM],
                audience=list(self._audiences),
                issuer=self._issuers,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=CLOCK_LEEWAY_S,
            )
        except jwt.ExpiredSignatureError as exc:
            raise invalid_id_token("The ID token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise invalid_id_token() from exc
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
