"""Identity providers' public keys (JWKS), fetched with PyJWT's ``PyJWKClient``: Google's, Apple's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jwt


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
