"""Who signs in, and the identity token Apple gives the app for them.

The identity token (Apple, "Authenticating users with Sign in with Apple") is an RS256 JWT with
the signing key's ``kid`` and the claims ``iss`` ``https://appleid.apple.com``, ``aud`` the app's
bundle id, ``iat``, ``exp``, ``sub`` (a stable user id shared by the apps of one team, shaped like
``001234.0123456789abcdef0123456789abcdef.1234``), ``email`` (the real address, or a private relay
address ``<id>@privaterelay.appleid.com`` that is stable per app), ``email_verified`` and
``is_private_email`` (Apple sends them as the strings ``"true"``/``"false"``, sometimes as
booleans), ``nonce`` (the SHA-256 hex of the raw nonce the app put in ``request.nonce``),
``nonce_supported``, ``auth_time`` and ``real_user_status`` (2: likely real).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from emulator.idp.keys import SigningKey
from emulator.idp.tokens import (
    MAX_ABS_EXPIRES_IN_S,
    MAX_TEXT_LENGTH,
    TokenRequestError,
    email_field,
    json_object,
)

APPLE_ISSUER = "https://appleid.apple.com"
DEFAULT_AUDIENCE = "demo-ios-auth"  # the demo app's bundle id, as in env.local.json
DEFAULT_EXPIRES_IN_S = 600  # Apple's identity tokens live 10 minutes
PRIVATE_RELAY_DOMAIN = "privaterelay.appleid.com"
REAL_USER_STATUS_LIKELY_REAL = 2
MAX_NONCE_LENGTH = 1024

_ALLOWED_FIELDS = ("email", "nonce", "privateRelay", "audience", "sub", "expiresIn")


@dataclass(frozen=True)
class Identity:
    """The Apple account as one app sees it."""

    sub: str
    email: str  # as the app gets it: the real address or the relay one
    is_private_email: bool


@dataclass(frozen=True)
class AuthorizeRequest:
    """``POST /authorize``: what the device's ASAuthorizationAppleIDProvider would be asked."""

    email: str
    nonce: str
    private_relay: bool = False
    audience: str = DEFAULT_AUDIENCE
    sub: str | None = None
    expires_in: int = DEFAULT_EXPIRES_IN_S

    @classmethod
    def from_json(cls, body: Any) -> AuthorizeRequest:
        body = json_object(body, _ALLOWED_FIELDS)
        email = email_field(body)
        nonce = body.get("nonce")
        if not isinstance(nonce, str) or not nonce or len(nonce) > MAX_NONCE_LENGTH:
            raise TokenRequestError(
                "nonce",
                f"required, the raw nonce (1 to {MAX_NONCE_LENGTH} characters); the token gets its SHA-256",
            )
        private_relay = body.get("privateRelay", False)
        if not isinstance(private_relay, bool):
            raise TokenRequestError("privateRelay", "must be true or false")
        expires_in = body.get("expiresIn", DEFAULT_EXPIRES_IN_S)
        if (
            not isinstance(expires_in, int)
            or isinstance(expires_in, bool)
            or abs(expires_in) > MAX_ABS_EXPIRES_IN_S
        ):
            raise TokenRequestError(
                "expiresIn",
                f"whole seconds, at most {MAX_ABS_EXPIRES_IN_S} either way (negative: expired)",
            )
        texts: dict[str, str | None] = {}
        for field in ("audience", "sub"):
            value = body.get(field)
            if value is not None and (
                not isinstance(value, str) or not value or len(value) > MAX_TEXT_LENGTH
            ):
                raise TokenRequestError(field, f"must be a string of 1 to {MAX_TEXT_LENGTH} characters")
            texts[field] = value
        return cls(
            email=email,
            nonce=nonce,
            private_relay=private_relay,
            audience=texts["audience"] or DEFAULT_AUDIENCE,
            sub=texts["sub"],
            expires_in=expires_in,
        )


def apple_user_id(email: str, team_id: str) -> str:
    """A stable ``sub`` per (email, team) in Apple's shape: 6 digits, 32 hex digits, 4 digits."""
    digest = hashlib.sha256(f"apple-sub:{team_id}:{email.lower()}".encode()).hexdigest()
    return f"{int(digest[:8], 16) % 1_000_000:06d}.{digest[8:40]}.{int(digest[40:48], 16) % 10_000:04d}"


def private_relay_address(email: str, audience: str, team_id: str) -> str:
    """A stable relay address per (email, app): Apple gives each app its own."""
    digest = hashlib.sha256(f"apple-relay:{team_id}:{audience}:{email.lower()}".encode()).digest()
    local_part = base64.b32encode(digest).decode("ascii").lower()[:10]
    return f"{local_part}@{PRIVATE_RELAY_DOMAIN}"


def identity_for(request: AuthorizeRequest, team_id: str) -> Identity:
    email = (
        private_relay_address(request.email, request.audience, team_id)
        if request.private_relay
        else request.email
    )
    sub = request.sub if request.sub is not None else apple_user_id(request.email, team_id)
    return Identity(sub=sub, email=email, is_private_email=request.private_relay)


def nonce_digest(raw_nonce: str) -> str:
    """What Apple puts in the token's ``nonce``: the app sends ``sha256(raw)`` hex in ``request.nonce``."""
    return hashlib.sha256(raw_nonce.encode("utf-8")).hexdigest()


def access_token_hash(access_token: str) -> str:
    """OpenID Connect's ``at_hash``: base64url of the left half of the token's SHA-256."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def identity_claims(
    identity: Identity,
    *,
    audience: str,
    issued_at: int,
    expires_in: int,
    auth_time: int,
    nonce: str | None = None,
    at_hash: str | None = None,
) -> dict[str, Any]:
    """The claims of an identity token (``nonce``: already hashed; ``at_hash``: token endpoint's)."""
    expires_at = issued_at + expires_in
    if expires_in <= 0:
        # An already expired token still looks like a real one that aged.
        issued_at = auth_time = expires_at - DEFAULT_EXPIRES_IN_S
    claims: dict[str, Any] = {
        "iss": APPLE_ISSUER,
        "aud": audience,
        "exp": expires_at,
        "iat": issued_at,
        "sub": identity.sub,
    }
    if nonce is not None:
        claims["nonce"] = nonce
    if at_hash is not None:
        claims["at_hash"] = at_hash
    claims.update(
        {
            "email": identity.email,
            "email_verified": "true",
            "is_private_email": "true" if identity.is_private_email else "false",
            "auth_time": auth_time,
            "nonce_supported": True,
            "real_user_status": REAL_USER_STATUS_LIKELY_REAL,
        }
    )
    return claims


def sign(key: SigningKey, claims: Mapping[str, Any]) -> str:
    return jwt.encode(dict(claims), key.private_key, algorithm="RS256", headers={"kid": key.kid})
