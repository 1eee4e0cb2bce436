"""The ``client_secret`` of Apple's REST API: an ES256 JWT that the developer signs with their key.

Apple ("Creating a client secret", Sign in with Apple REST API): header ``alg`` ES256 and ``kid``
the key id; claims ``iss`` the team id, ``iat`` the time it was made, ``exp`` when it expires,
at most 15777000 seconds (6 months) after the server's current time, ``aud``
``https://appleid.apple.com`` and ``sub`` the ``client_id`` of the request. Anything else is
``invalid_client``. :func:`mint_client_secret` is the backend's half, for tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt

from emulator.idp.apple.keys import DeveloperKey

APPLE_AUDIENCE = "https://appleid.apple.com"
MAX_LIFETIME_S = 15_777_000
# How far in the future an iat may be (clock skew between the developer's server and Apple's).
IAT_LEEWAY_S = 60


class ClientSecretError(ValueError):
    """The client secret is refused; the message says why (sent as ``error_description``)."""


def verify_client_secret(secret: str, *, client_id: str, key: DeveloperKey, now: float) -> None:
    try:
        header = jwt.get_unverified_header(secret)
    except jwt.PyJWTError:
        raise ClientSecretError("client_secret is not a JWT") from None
    if header.get("alg") != "ES256":
        raise ClientSecretError("client_secret must be signed with ES256")
    if header.get("kid") != key.key_id:
        raise ClientSecretError("client_secret's kid is not the key id of the Sign in with Apple key")
    try:
        # Only the signature here: each claim is checked below, against the provider's clock.
        claims = jwt.decode(
            secret,
            key.private_key.public_key(),
            algorithms=["ES256"],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.PyJWTError:
        raise ClientSecretError("client_secret's signature does not verify with the developer key") from None
    _check_claims(claims, client_id=client_id, team_id=key.team_id, now=now)


def _check_claims(claims: Mapping[str, Any], *, client_id: str, team_id: str, now: float) -> None:
    if claims.get("iss") != team_id:
        raise ClientSecretError("client_secret's iss must be the team id")
    if claims.get("sub") != client_id:
        raise ClientSecretError("client_secret's sub must be the client_id of the request")
    audience = claims.get("aud")
    if audience != APPLE_AUDIENCE and not (isinstance(audience, list) and audience == [APPLE_AUDIENCE]):
        raise ClientSecretError(f"client_secret's aud must be {APPLE_AUDIENCE}")
    issued_at, expires_at = claims.get("iat"), claims.get("exp")
    if not _is_number(issued_at) or not _is_number(expires_at):
        raise ClientSecretError("client_secret needs numeric iat and exp claims")
    if issued_at > now + IAT_LEEWAY_S:
        raise ClientSecretError("client_secret's iat is in the future")
    if expires_at <= now:
        raise ClientSecretError("client_secret has expired")
    if expires_at - issued_at > MAX_LIFETIME_S or expires_at - now > MAX_LIFETIME_S:
        raise ClientSecretError(f"client_secret's exp is more than {MAX_LIFETIME_S} s (6 months) away")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def mint_client_secret(
    key: DeveloperKey,
    client_id: str,
    *,
    now: int,
    lifetime_s: int = 3600,
    claims: Mapping[str, Any] | None = None,
    headers: Mapping[str, Any] | None = None,
) -> str:
    """A client secret as the backend makes one; ``claims``/``headers`` override (negative tests)."""
    payload: dict[str, Any] = {
        "iss": key.team_id,
        "iat": now,
        "exp": now + lifetime_s,
        "aud": APPLE_AUDIENCE,
        "sub": client_id,
    }
    payload.update(claims or {})
    return jwt.encode(
        payload, key.private_key, algorithm="ES256", headers={"kid": key.key_id, **(headers or {})}
    )
