"""Identity providers' ID tokens (Google's, Apple's): their public keys (JWKS), fetched with PyJWT's
``PyJWKClient``, and the signature and claims checks both providers' tokens share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jwt

from auth_service.errors import internal_error, invalid_id_token
from auth_service.log import logger

PROVIDER_ALGORITHM = "RS256"
CLOCK_LEEWAY_S = 10


class KeySourceUnavailable(Exception):
    """The JWKS could not be fetched (a server-side problem, not a bad token)."""


KeyResolver = Callable[[str], Any]  # kid -> public key; raises LookupError for an unknown kid

JWKS_LIFESPAN_S = 300
# An unknown kid refetches the set at most this often, so random kids cannot flood the issuer.
UNKNOWN_KID_COOLDOWN_S = 10


def jwks_key_resolver(
    jwks_url: str, *, timeout_s: float = 5.0, lifespan_s: float = JWKS_LIFESPAN_S
) -> KeyResolver:
    """A resolver backed by PyJWT's PyJWKClient: the key set is cached for ``lifespan_s``, and an
    unknown kid refetches it (at most every :data:`UNKNOWN_KID_COOLDOWN_S`).

    ``cache_keys`` stays off: PyJWKClient's per-kid cache is an LRU without expiry, so a key the
    issuer has withdrawn (a compromised one, say) would keep verifying in a warm container for as
    long as it lives. Without it, a withdrawn key is refused once the set's cache expires.
    """
    client = jwt.PyJWKClient(
        jwks_url,
        cache_keys=False,
        lifespan=lifespan_s,
        timeout=timeout_s,
        cooldown_duration=UNKNOWN_KID_COOLDOWN_S,
    )

    def resolve(kid: str) -> Any:
        try:
            return client.get_signing_key(kid).key
        except jwt.PyJWKClientConnectionError as exc:
            raise KeySourceUnavailable(str(exc)) from exc
        except jwt.PyJWKClientError as exc:
            raise LookupError(kid) from exc

    return resolve


def decode_provider_token(
    token: str,
    *,
    resolve_key: KeyResolver,
    issuers: str | Sequence[str],
    audiences: Sequence[str],
    what: str,
) -> dict[str, Any]:
    """The verified claims of an identity provider's token; 401 ``invalid_id_token`` otherwise.

    RS256 only — ``alg: none`` and HMAC are refused before any key lookup — a ``kid`` naming a key
    of the provider's JWKS, ``iss`` and ``aud`` among the configured ones, ``exp`` in the future
    and ``iat`` not (a little leeway for clocks), ``sub`` present. ``what`` names the token in
    the messages ("The ID token", "The identity token").
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise invalid_id_token(f"{what} is malformed.") from exc
    if header.get("alg") != PROVIDER_ALGORITHM:
        raise invalid_id_token(f"{what} must be signed with RS256.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise invalid_id_token(f"{what} has no key id.")
    try:
        key = resolve_key(kid)
    except LookupError as exc:
        raise invalid_id_token(f"{what} was signed by an unknown key.") from exc
    except KeySourceUnavailable as exc:
        # our dependency failed, not the client: a 500, without the URL or error text
        logger.error("identity provider JWKS unavailable", extra={"error": type(exc.__cause__).__name__})
        raise internal_error() from exc
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[PROVIDER_ALGORITHM],
            audience=list(audiences),
            issuer=issuers,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=CLOCK_LEEWAY_S,
        )
    except jwt.ExpiredSignatureError as exc:
        raise invalid_id_token(f"{what} has expired.") from exc
    except jwt.PyJWTError as exc:
        raise invalid_id_token(f"{what} could not be verified.") from exc
