"""Settings read from the function's environment, and the production safety check.

Every handler module loads :data:`SETTINGS` at import (Lambda's init phase). With
``STAGE=prod`` an insecure configuration makes the import fail with one clear log line, so
the function never serves a request with it (Lambda reports ``Runtime.ImportModuleError`` /
init error, API Gateway answers 502): better no service than a weak one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

PRODUCTION_STAGES = frozenset({"prod", "production"})
MIN_PROD_BCRYPT_ROUNDS = 10
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal"})


class InsecureConfigError(RuntimeError):
    """Raised at import when a production function is configured insecurely."""


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


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
    signing_keys_secret_arn: str
    bcrypt_rounds: int
    google_jwks_url: str
    google_issuers: tuple[str, ...]
    google_audiences: tuple[str, ...]
    token_issuer: str
    token_audience: str
    access_token_ttl_s: int
    refresh_token_ttl_s: int
    allowed_origins: tuple[str, ...]
    login_ip_limit: int
    register_ip_limit: int
    google_ip_limit: int
    ip_limit_window_s: int
    signing_keys_cache_s: int

    @property
    def ip_limits(self) -> dict[str, int]:
        """Requests per source IP per ``ip_limit_window_s``, by action (0 disables one)."""
        return {
            "login": self.login_ip_limit,
            "register": self.register_ip_limit,
            "google": self.google_ip_limit,
        }

    @property
    def is_production(self) -> bool:
        return self.stage.lower() in PRODUCTION_STAGES


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        stage=env.get("STAGE", "prod").strip() or "prod",  # unset means prod: fail safe
        users_table=env.get("USERS_TABLE", ""),
        identities_table=env.get("IDENTITIES_TABLE", ""),
        sessions_table=env.get("SESSIONS_TABLE", ""),
        rate_limits_table=env.get("RATE_LIMITS_TABLE", ""),
        signing_keys_secret_arn=env.get("SIGNING_KEYS_SECRET_ARN", "").strip(),
        bcrypt_rounds=_int(env, "BCRYPT_ROUNDS", 12),
        google_jwks_url=env.get("GOOGLE_JWKS_URL", "").strip(),
        google_issuers=_csv(env.get("GOOGLE_ISSUERS", "")),
        google_audiences=_csv(env.get("GOOGLE_AUDIENCES", "")),
        token_issuer=env.get("TOKEN_ISSUER", "ios-auth-backend").strip(),
        token_audience=env.get("TOKEN_AUDIENCE", "ios-app").strip(),
        access_token_ttl_s=_int(env, "ACCESS_TOKEN_TTL_SECONDS", 900),
        refresh_token_ttl_s=_int(env, "REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600),
        allowed_origins=_csv(env.get("ALLOWED_ORIGINS", "")),
        login_ip_limit=_int(env, "LOGIN_IP_LIMIT", 60),
        register_ip_limit=_int(env, "REGISTER_IP_LIMIT", 30),
        google_ip_limit=_int(env, "GOOGLE_IP_LIMIT", 30),
        ip_limit_window_s=_int(env, "IP_LIMIT_WINDOW_SECONDS", 300),
        signing_keys_cache_s=_int(env, "SIGNING_KEYS_CACHE_SECONDS", 300),
    )


def _is_local_or_plain_http(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme != "https" or host in _LOCAL_HOSTS or host.startswith("127.") or "/_emulator/" in url


def insecure_settings(settings: Settings) -> list[str]:
    """Reasons why ``settings`` must not serve production traffic (empty when fine)."""
    problems: list[str] = []
    if not settings.signing_keys_secret_arn:
        problems.append("SIGNING_KEYS_SECRET_ARN is not set (no signing keys)")
    if settings.bcrypt_rounds < MIN_PROD_BCRYPT_ROUNDS:
        problems.append(f"BCRYPT_ROUNDS={settings.bcrypt_rounds} is below {MIN_PROD_BCRYPT_ROUNDS}")
    if settings.google_jwks_url and _is_local_or_plain_http(settings.google_jwks_url):
        problems.append(
            f"GOOGLE_JWKS_URL={settings.google_jwks_url} is not an https URL of a public identity provider "
            "(local identity provider setting)"
        )
    if settings.access_token_ttl_s <= 0 or settings.access_token_ttl_s > 3600:
        problems.append(f"ACCESS_TOKEN_TTL_SECONDS={settings.access_token_ttl_s} is outside 1..3600")
    if settings.refresh_token_ttl_s <= 0:
        problems.append(f"REFRESH_TOKEN_TTL_SECONDS={settings.refresh_token_ttl_s} must be positive")
    return problems


def check_settings(settings: Settings, log: Any = None) -> Settings:
    """Refuse to start (raise) when a production stage is configured insecurely.

    ``log`` is any logger with ``.error`` (the Powertools Logger in handlers).
    """
    if settings.bcrypt_rounds < 4 or settings.bcrypt_rounds > 31:
        raise InsecureConfigError(f"BCRYPT_ROUNDS={settings.bcrypt_rounds} is outside bcrypt's 4..31")
    if not settings.is_production:
        return settings
    problems = insecure_settings(settings)
    if problems:
        line = f"Refusing to start: insecure configuration for STAGE={settings.stage}: " + "; ".join(problems)
        (log or logging.getLogger(__name__)).error(line)
        raise InsecureConfigError(line)
    return settings
