"""A local stand-in for Sign in with Apple: the device's authorization, Apple's REST API, its keys.

Serve mounts :func:`blueprint` at ``/_emulator/idp/apple`` beside the Google provider and, at
start, publishes the developer key into the local Secrets Manager (:mod:`.publish`). The backend
reaches it only through its settings (JWKS, token and revoke URLs; the key's secret), so the
same code talks to ``https://appleid.apple.com`` on a deployed stage.
"""

from __future__ import annotations

from emulator.idp.apple.blueprint import URL_PREFIX, blueprint, provider_for
from emulator.idp.apple.client_secret import mint_client_secret, verify_client_secret
from emulator.idp.apple.identity import APPLE_ISSUER, DEFAULT_AUDIENCE, AuthorizeRequest
from emulator.idp.apple.keys import DeveloperKey, load_or_create_developer_key
from emulator.idp.apple.provider import AppleProvider, OAuthError

__all__ = [
    "APPLE_ISSUER",
    "DEFAULT_AUDIENCE",
    "URL_PREFIX",
    "AppleProvider",
    "AuthorizeRequest",
    "DeveloperKey",
    "OAuthError",
    "blueprint",
    "load_or_create_developer_key",
    "mint_client_secret",
    "provider_for",
    "verify_client_secret",
]
