"""A local stand-in for Google/Firebase sign-in: a JWKS and real RS256 ID tokens for any email.

The gateway mounts :func:`blueprint` at ``/_emulator/idp``; the backend is pointed at
``{emulator}/_emulator/idp/jwks.json`` by its ``GOOGLE_JWKS_URL`` setting only, so the same
verification code runs against Google in a deployed stage.
"""

from __future__ import annotations

from emulator.idp.blueprint import URL_PREFIX, blueprint
from emulator.idp.keys import SigningKey, generate_signing_key, load_or_create_signing_key
from emulator.idp.tokens import (
    DEFAULT_AUDIENCE,
    DEFAULT_ISSUER,
    TokenRequest,
    TokenRequestError,
    build_claims,
    mint_id_token,
)

__all__ = [
    "DEFAULT_AUDIENCE",
    "DEFAULT_ISSUER",
    "URL_PREFIX",
    "SigningKey",
    "TokenRequest",
    "TokenRequestError",
    "blueprint",
    "build_claims",
    "generate_signing_key",
    "load_or_create_signing_key",
    "mint_id_token",
]
