"""Settings read from the function's environment, and the startup safety check.

Every handler module loads the settings at import (Lambda's init phase). On every stage but
the explicit local one (``STAGE=local``, which ``make deploy`` refuses to ship), an insecure
configuration makes the import fail with one clear log line, so the function never serves a
request with it (Lambda reports an init error, API Gateway answers 502): better no service
than a weak one. Fail closed: an unset or unknown stage is treated as deployed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

LOCAL_STAGE = "local"
MIN_DEPLOYED_BCRYPT_ROUNDS = 10
# The identity providers' public key sets, by provider: a deployed stage verifies ID tokens only
# against keys served from these hosts (https), never a local or emulator URL.
TRUSTED_HOSTS = {
    "GOOGLE_JWKS_URL": frozenset({"www.googleapis.com"}),
    "APPLE_JWKS_URL": frozenset({"appleid.apple.com"}),
    "APPLE_TOKEN_URL": frozenset({"appleid.apple.com"}),
    "APPLE_REVOKE_URL": frozenset({"appleid.apple.com"}),
}
# Audiences of the local identity providers and of the demo Firebase project.
DEMO_AUDIENCE_PREFIX = "demo-"


class InsecureConfigError(RuntimeError):
    """Raised at import when a production function is configured insecurely."""


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "false", "0", "no"):
        return False
    if raw in ("true", "1", "yes"):
        return True
    raise InsecureConfigError(f"{name} must be true or false, got {raw!r}")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise InsecureConfigError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    stage: str
    users_table: str
    identities_table: str
    sessions_table: str
    rate_limits_table: str
    codes_table: str
    signing_keys_secret_arn: str
    signing_public_keys_secret_arn: str
    hashing_key_secret_arn: str
    bcrypt_rounds: int
    google_jwks_url: str
    google_issuers: tuple[str, ...]
    google_audiences: tuple[str, ...]
    apple_jwks_url: str
    apple_token_url: str
    apple_revoke_url: str
    apple_audiences: tuple[str, ...]
    apple_sign_in_secret_arn: str
    app_name: str
    email_sender: str
    email_configuration_set: str
    require_verified_email: bool
    token_issuer: str
    token_audience: str
    access_token_ttl_s: int
    refresh_token_ttl_s: int
    allowed_origins: tuple[str, ...]
    login_ip_limit: int
    register_ip_limit: int
    google_ip_limit: int
    reauth_ip_limit: int
    apple_ip_limit: int
    password_reset_ip_limit: int
    ip_limit_window_s: int
    signing_keys_cache_s: int

    @property
    def ip_limits(self) -> dict[str, int]:
        """Requests per source IP per ``ip_limit_window_s``, by action (0 disables one)."""
        return {
            "login": self.login_ip_limit,
            "register": self.register_ip_limit,
            "google": self.google_ip_limit,
            "reauth": self.reauth_ip_limit,
            "apple": self.apple_ip_limit,
            "password_reset": self.password_reset_ip_limit,
        }

    @property
    def is_local(self) -> bool:
        """Only an explicit ``STAGE=local`` may run with development settings."""
        return self.stage == LOCAL_STAGE


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        stage=env.get("STAGE", "prod").strip() or "prod",  # unset means a deployed stage: fail closed
        users_table=env.get("USERS_TABLE", ""),
        identities_table=env.get("IDENTITIES_TABLE", ""),
        sessions_table=env.get("SESSIONS_TABLE", ""),
        rate_limits_table=env.get("RATE_LIMITS_TABLE", ""),
        codes_table=env.get("CODES_TABLE", ""),
        signing_keys_secret_arn=env.get("SIGNING_KEYS_SECRET_ARN", "").strip(),
        signing_public_keys_secret_arn=env.get("SIGNING_PUBLIC_KEYS_SECRET_ARN", "").strip(),
        hashing_key_secret_arn=env.get("HASHING_KEY_SECRET_ARN", "").strip(),
        bcrypt_rounds=_int(env, "BCRYPT_ROUNDS", 12),
        google_jwks_url=env.get("GOOGLE_JWKS_URL", "").strip(),
        google_issuers=_csv(env.get("GOOGLE_ISSUERS", "")),
        google_audiences=_csv(env.get("GOOGLE_AUDIENCES", "")),
        apple_jwks_url=env.get("APPLE_JWKS_URL", "").strip(),
        apple_token_url=env.get("APPLE_TOKEN_URL", "").strip(),
        apple_revoke_url=env.get("APPLE_REVOKE_URL", "").strip(),
        apple_audiences=_csv(env.get("APPLE_AUDIENCES", "")),
        apple_sign_in_secret_arn=env.get("APPLE_SIGN_IN_SECRET_ARN", "").strip(),
        app_name=env.get("APP_NAME", "").strip() or "the app",
        email_sender=env.get("EMAIL_SENDER", "").strip(),
        email_configuration_set=env.get("EMAIL_CONFIGURATION_SET", "").strip(),
        require_verified_email=_bool(env, "REQUIRE_VERIFIED_EMAIL"),
        token_issuer=env.get("TOKEN_ISSUER", "ios-auth-backend").strip(),
        token_audience=env.get("TOKEN_AUDIENCE", "ios-app").strip(),
        access_token_ttl_s=_int(env, "ACCESS_TOKEN_TTL_SECONDS", 900),
        refresh_token_ttl_s=_int(env, "REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600),
        allowed_origins=_csv(env.get("ALLOWED_ORIGINS", "")),
        login_ip_limit=_int(env, "LOGIN_IP_LIMIT", 60),
        register_ip_limit=_int(env, "REGISTER_IP_LIMIT", 30),
        google_ip_limit=_int(env, "GOOGLE_IP_LIMIT", 30),
        reauth_ip_limit=_int(env, "REAUTH_IP_LIMIT", 20),
        apple_ip_limit=_int(env, "APPLE_IP_LIMIT", 30),
        password_reset_ip_limit=_int(env, "PASSWORD_RESET_IP_LIMIT", 10),
        ip_limit_window_s=_int(env, "IP_LIMIT_WINDOW_SECONDS", 300),
        signing_keys_cache_s=_int(env, "SIGNING_KEYS_CACHE_SECONDS", 300),
    )


def _untrusted_url(name: str, url: str, hosts: frozenset[str]) -> str | None:
    """Why ``url`` is not an https URL on one of ``hosts`` (None when it is)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and (parts.hostname or "").lower() in hosts and parts.port in (None, 443):
        return None
    allowed = ", ".join(sorted(hosts))
    return f"{name}={url} is not an https URL on {allowed} (a local identity provider setting?)"


def insecure_settings(settings: Settings) -> list[str]:
    """Reasons why ``settings`` must not serve a deployed stage (empty when fine)."""
    problems: list[str] = []
    if not settings.signing_keys_secret_arn:
        problems.append("SIGNING_KEYS_SECRET_ARN is not set (no signing keys)")
    if not settings.signing_public_keys_secret_arn:
        problems.append("SIGNING_PUBLIC_KEYS_SECRET_ARN is not set (no verification keys)")
    if not settings.hashing_key_secret_arn:
        problems.append("HASHING_KEY_SECRET_ARN is not set (no key for one-time codes and log pseudonyms)")
    if settings.bcrypt_rounds < MIN_DEPLOYED_BCRYPT_ROUNDS:
        problems.append(f"BCRYPT_ROUNDS={settings.bcrypt_rounds} is below {MIN_DEPLOYED_BCRYPT_ROUNDS}")
    urls = {
        "GOOGLE_JWKS_URL": settings.google_jwks_url,
        "APPLE_JWKS_URL": settings.apple_jwks_url,
        "APPLE_TOKEN_URL": settings.apple_token_url,
        "APPLE_REVOKE_URL": settings.apple_revoke_url,
    }
    for name, url in urls.items():
        if url and (reason := _untrusted_url(name, url, TRUSTED_HOSTS[name])):
            problems.append(reason)
    if settings.apple_audiences and not settings.apple_sign_in_secret_arn:
        problems.append(
            "APPLE_AUDIENCES is set but APPLE_SIGN_IN_SECRET_ARN is not (no Sign in with Apple key)"
        )
    if not settings.email_sender:
        problems.append("EMAIL_SENDER is not set (no sender for verification and reset emails)")
    audience_lists = (
        ("GOOGLE_AUDIENCES", settings.google_audiences),
        ("APPLE_AUDIENCES", settings.apple_audiences),
    )
    for name, audiences in audience_lists:
        demo = [aud for aud in audiences if aud.lower().startswith(DEMO_AUDIENCE_PREFIX)]
        if demo:
            problems.append(f"{name} lists {', '.join(demo)}: a demo audience of the local identity provider")
    if settings.access_token_ttl_s <= 0 or settings.access_token_ttl_s > 3600:
        problems.append(f"ACCESS_TOKEN_TTL_SECONDS={settings.access_token_ttl_s} is outside 1..3600")
    if settings.refresh_token_ttl_s <= 0:
        problems.append(f"REFRESH_TOKEN_TTL_SECONDS={settings.refresh_token_ttl_s} must be positive")
    return problems


def check_settings(settings: Settings, log: Any = None) -> Settings:
    """Refuse to start (raise) when a deployed stage (any but ``local``) is configured insecurely.

    ``log`` is any logger with ``.error`` (the Powertools Logger in handlers).
    """
    if settings.bcrypt_rounds < 4 or settings.bcrypt_rounds > 31:
        raise InsecureConfigError(f"BCRYPT_ROUNDS={settings.bcrypt_rounds} is outside bcrypt's 4..31")
    if settings.is_local:
        return settings
    problems = insecure_settings(settings)
    if problems:
        line = f"Refusing to start: insecure configuration for STAGE={settings.stage}: " + "; ".join(problems)
        (log or logging.getLogger(__name__)).error(line)
        raise InsecureConfigError(line)
    return settings
