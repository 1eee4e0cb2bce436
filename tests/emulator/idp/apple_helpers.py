"""Shared by the Apple provider tests: one key pair per session (RSA generation is slow), a clock."""

from __future__ import annotations

import functools
from typing import Any

import jwt

from emulator.idp.apple import APPLE_ISSUER, DEFAULT_AUDIENCE, AppleProvider, mint_client_secret
from emulator.idp.apple.keys import DeveloperKey, generate_developer_key
from emulator.idp.keys import SigningKey, generate_signing_key

START = 1_800_000_000.0


class Clock:
    """The provider's time, moved by the test (no sleeps)."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@functools.cache
def signing_key() -> SigningKey:
    return generate_signing_key()


@functools.cache
def developer_key() -> DeveloperKey:
    return generate_developer_key()


def provider(clock: Clock | None = None, **kwargs: Any) -> AppleProvider:
    return AppleProvider(signing_key(), developer_key(), clock=clock or Clock(), **kwargs)


def secret(clock: Clock, client_id: str = DEFAULT_AUDIENCE, **kwargs: Any) -> str:
    return mint_client_secret(developer_key(), client_id, now=int(clock.now), **kwargs)


def form(**fields: str) -> dict[str, list[str]]:
    return {name: [value] for name, value in fields.items()}


def decode(token: str, *, audience: str = DEFAULT_AUDIENCE, now: float = START) -> dict[str, Any]:
    """Verify as a backend would: RS256 pinned, Apple's issuer, the audience; expiry at ``now``."""
    claims = jwt.decode(
        token,
        signing_key().private_key.public_key(),
        algorithms=["RS256"],
        audience=audience,
        issuer=APPLE_ISSUER,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["exp"] > now, "expired"
    return claims
