"""Access tokens (ES256 JWTs) and refresh tokens (opaque, random, stored hashed).

Access token: header ``{"alg": "ES256", "typ": "at+jwt", "kid": ...}`` (RFC 9068 type), claims
``iss aud sub sid jti iat exp`` and ``email_verified``. Verification pins ``algorithms=["ES256"]``, so
``alg: none``
and HS256-with-the-public-key confusion are refused before any signature maths, and requires
every claim.

Refresh token: ``<sessionId>.<secret>`` where secret is 32 bytes (256 bits) from ``secrets``,
base64url. Only SHA-256 of the whole token is stored; the sessionId prefix finds the session.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import jwt

from auth_service.signing_keys import ALGORITHM, SigningKey, VerificationKey

ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - the RFC 9068 JWT typ, not a secret
CLOCK_LEEWAY_S = 5
_REQUIRED_CLAIMS = ["iss", "aud", "sub", "sid", "jti", "iat", "exp"]
_SESSION_ID_RE = re.compile(r"^[0-9a-f]{32}$")
_REFRESH_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 bytes, base64url, unpadded


class InvalidAccessToken(Exception):
    """The token is not a valid access token of this service (reason kept for logs only)."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str
    token_id: str
    issued_at: int
    expires_at: int


def new_session_id() -> str:
    return uuid.uuid4().hex


def mint_access_token(
    key: SigningKey,
    *,
    user_id: str,
    session_id: str,
    issuer: str,
    audience: str,
    now: int,
    ttl_s: int,
    email_verified: bool = False,
) -> str:
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": user_id,
        "sid": session_id,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + ttl_s,
        # For the app's own use (whether to show "confirm your email"); the API itself reads the
        # user's current state, not this claim, which is only as fresh as the token.
        "email_verified": email_verified,
    }
    return jwt.encode(
        claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": ACCESS_TOKEN_TYPE}
    )


def verify_access_token(
    token: str,
    *,
    find_key: Callable[[str], VerificationKey | SigningKey | None],
    issuer: str,
    audience: str,
) -> AccessClaims:
    """Verify signature and claims; raise :class:`InvalidAccessToken` otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidAccessToken("malformed token") from exc
    # typ is set on minting (RFC 9068) but not required on verification: these keys sign
    # nothing but access tokens, so there is no other JWT kind to confuse them with.
    if header.get("alg") != ALGORITHM:
        raise InvalidAccessToken("unexpected alg")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidAccessToken("no kid")
    key = find_key(kid)
    if key is None:
        raise InvalidAccessToken("unknown kid")
    try:
        claims = jwt.decode(
            token,
            key.public_key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": _REQUIRED_CLAIMS},
            leeway=CLOCK_LEEWAY_S,
        )
    except jwt.PyJWTError as exc:
        raise InvalidAccessToken(type(exc).__name__) from exc
    for name in ("sub", "sid", "jti"):
        if not isinstance(claims.get(name), str) or not claims[name]:
            raise InvalidAccessToken(f"bad {name}")
    return AccessClaims(
        user_id=claims["sub"],
        session_id=claims["sid"],
        token_id=claims["jti"],
        issued_at=int(claims["iat"]),
        expires_at=int(claims["exp"]),
    )


def new_refresh_token(session_id: str) -> str:
    return f"{session_id}.{secrets.token_urlsafe(32)}"


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def refresh_token_session_id(token: str) -> str | None:
    """The sessionId of a well-formed refresh token, else None."""
    session_id, dot, secret = token.partition(".")
    if not dot or not _SESSION_ID_RE.match(session_id) or not _REFRESH_SECRET_RE.match(secret):
        return None
    return session_id
