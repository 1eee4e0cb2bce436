"""Process-wide singletons, built once per execution environment (Lambda init phase).

Handler modules call the factories they need at import time, so clients, settings checks and
caches are paid for on a cold start, not on every request, and a function only creates the
clients it uses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from auth_service.config import Settings, check_settings, load_settings
from auth_service.log import logger

if TYPE_CHECKING:  # imported lazily below: each function builds only the clients it uses
    from auth_service.apple import AppleClient, AppleCredentials, AppleTokenVerifier
    from auth_service.google_tokens import GoogleTokenVerifier
    from auth_service.key_cache import KeyCache, VerificationKeyCache
    from auth_service.keyed_hash import KeyedHasher
    from auth_service.repositories.email import Mailer
    from auth_service.repositories.rate_limits import RateLimitsRepository
    from auth_service.repositories.sessions import SessionsRepository
    from auth_service.repositories.users import UsersRepository
    from auth_service.services.apple_signin import AppleCredentialCheck
    from auth_service.services.brute_force import BruteForceGuard
    from auth_service.services.codes import OneTimeCodes
    from auth_service.services.send_limits import SendLimiter


@functools.cache
def settings() -> Settings:
    return check_settings(load_settings(), logger)


@functools.cache
def users_repository() -> UsersRepository:
    from auth_service.repositories.users import UsersRepository

    return UsersRepository(settings().users_table, settings().identities_table)


@functools.cache
def sessions_repository() -> SessionsRepository:
    from auth_service.repositories.sessions import SessionsRepository

    return SessionsRepository(settings().sessions_table)


@functools.cache
def rate_limits_repository() -> RateLimitsRepository:
    from auth_service.repositories.rate_limits import RateLimitsRepository

    return RateLimitsRepository(settings().rate_limits_table)


@functools.cache
def brute_force_guard() -> BruteForceGuard:
    from auth_service.services.brute_force import BruteForceGuard

    return BruteForceGuard(
        rate_limits_repository(), ip_limits=settings().ip_limits, window_s=settings().ip_limit_window_s
    )


@functools.cache
def key_cache() -> KeyCache:
    """The private signing keys: only for the functions that mint access tokens (IAM enforces it)."""
    from auth_service.key_cache import KeyCache
    from auth_service.repositories.secrets import get_secret_string

    arn = settings().signing_keys_secret_arn
    cache_s = settings().signing_keys_cache_s
    cache = KeyCache(
        lambda: get_secret_string(arn) if arn else None, max_age_s=cache_s, activation_delay_s=2 * cache_s
    )
    _prefetch(cache.ring, "signing keys")
    return cache


@functools.cache
def verification_key_cache() -> VerificationKeyCache:
    """The public keys, for the verifiers (the authorizer, the JWKS endpoint)."""
    from auth_service.key_cache import VerificationKeyCache
    from auth_service.repositories.secrets import get_secret_string

    arn = settings().signing_public_keys_secret_arn
    cache = VerificationKeyCache(
        lambda: get_secret_string(arn) if arn else None, max_age_s=settings().signing_keys_cache_s
    )
    _prefetch(cache.ring, "verification keys")
    return cache


def _prefetch(fetch: Callable[[], object], what: str) -> None:
    try:
        fetch()  # at cold start; a failure here is retried on first use
    except Exception:
        logger.warning(f"{what} not loaded at init; will retry on first use", exc_info=True)


@functools.cache
def google_verifier() -> GoogleTokenVerifier:
    from auth_service.google_tokens import GoogleTokenVerifier
    from auth_service.jwks import jwks_key_resolver

    config = settings()
    return GoogleTokenVerifier(
        resolve_key=jwks_key_resolver(config.google_jwks_url),
        issuers=config.google_issuers,
        audiences=config.google_audiences,
    )


@functools.cache
def keyed_hasher() -> KeyedHasher:
    """The hashing key, read once per execution environment (on first use: a failed read is not
    cached, so the next request tries again)."""
    from auth_service.keyed_hash import KeyedHasher
    from auth_service.repositories.secrets import get_secret_string

    arn = settings().hashing_key_secret_arn
    return KeyedHasher.from_secret(get_secret_string(arn) if arn else None)


@functools.cache
def one_time_codes() -> OneTimeCodes:
    from auth_service.repositories.codes import CodesRepository
    from auth_service.services.codes import OneTimeCodes

    return OneTimeCodes(CodesRepository(settings().codes_table), keyed_hasher)


@functools.cache
def send_limiter() -> SendLimiter:
    from auth_service.services.send_limits import SendLimiter

    return SendLimiter(rate_limits_repository())


@functools.cache
def mailer() -> Mailer:
    from auth_service.repositories.email import Mailer

    return Mailer(settings().email_sender, settings().email_configuration_set)


@functools.cache
def apple_verifier() -> AppleTokenVerifier:
    from auth_service.apple import AppleTokenVerifier
    from auth_service.jwks import jwks_key_resolver

    config = settings()
    return AppleTokenVerifier(
        resolve_key=jwks_key_resolver(config.apple_jwks_url), audiences=config.apple_audiences
    )


@functools.cache
def apple_credentials() -> AppleCredentials:
    """The Sign in with Apple key, read on first use (a failed read is retried by the next request)."""
    from auth_service.apple import AppleCredentials
    from auth_service.repositories.secrets import get_secret_string

    arn = settings().apple_sign_in_secret_arn
    if not arn:
        raise ValueError("APPLE_SIGN_IN_SECRET_ARN is not set")
    return AppleCredentials.from_secret(get_secret_string(arn))


@functools.cache
def apple_client() -> AppleClient:
    from auth_service.apple import AppleClient

    config = settings()
    return AppleClient(
        token_url=config.apple_token_url, revoke_url=config.apple_revoke_url, credentials=apple_credentials
    )


@functools.cache
def apple_credential_check() -> AppleCredentialCheck:
    from auth_service.services.apple_signin import AppleCredentialCheck

    return AppleCredentialCheck(verifier=apple_verifier, client=apple_client)
