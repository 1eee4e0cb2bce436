"""The signing keys cached in the execution environment: the private ring (signers) or the
public one (verifiers), each read from its own secret.

Fetched at first use (cold start), refreshed after ``max_age_s`` so a rotation (or a retired key)
reaches warm instances within minutes, and refetched at once — but at most every
``min_refetch_s`` — when a token names an unknown ``kid`` (a key rotated in after this instance
cached the list), so random kids cannot turn into a Secrets Manager request flood.

A new key signs only once it has been listed for ``activation_delay_s`` (twice the cache age):
by then every verifier's cached list includes it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from auth_service.signing_keys import (
    KeyRing,
    PublicKeyRing,
    SigningKey,
    VerificationKey,
    parse_public_keys,
    parse_secret,
)


class NoSigningKeyError(RuntimeError):
    """The secret holds no key yet (rotation has not run)."""


RingT = TypeVar("RingT", KeyRing, PublicKeyRing)


class _KeyCache(Generic[RingT]):
    def __init__(
        self,
        load_secret: Callable[[], str | None],
        parse: Callable[[str], RingT],
        empty: RingT,
        *,
        max_age_s: float,
        min_refetch_s: float,
        clock: Callable[[], float],
    ) -> None:
        self._load_secret = load_secret
        self._parse = parse
        self._empty = empty
        self._max_age_s = max_age_s
        self._min_refetch_s = min_refetch_s
        self._clock = clock
        self._lock = threading.Lock()
        self._ring: RingT | None = None
        self._fetched_at = float("-inf")

    def _fetch(self) -> RingT:
        secret = self._load_secret()
        ring = self._parse(secret) if secret else self._empty
        self._ring, self._fetched_at = ring, self._clock()
        return ring

    def ring(self) -> RingT:
        with self._lock:
            if self._ring is None or self._clock() - self._fetched_at >= self._max_age_s:
                return self._fetch()
            return self._ring

    def find(self, kid: str) -> VerificationKey | SigningKey | None:
        """The key named ``kid``; an unknown kid refetches the ring (at most every ``min_refetch_s``)."""
        key = self.ring().get(kid)
        if key is not None:
            return key
        refetched = self._refetch_if_allowed()
        return refetched.get(kid) if refetched is not None else None

    def _refetch_if_allowed(self) -> RingT | None:
        """The freshly fetched ring, unless the last fetch was less than ``min_refetch_s`` ago."""
        with self._lock:
            if self._clock() - self._fetched_at < self._min_refetch_s:
                return None
            return self._fetch()


class VerificationKeyCache(_KeyCache[PublicKeyRing]):
    """The public keys (the authorizer's and the JWKS endpoint's): no private key ever loaded."""

    def __init__(
        self,
        load_secret: Callable[[], str | None],
        *,
        max_age_s: float = 300.0,
        min_refetch_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            load_secret,
            parse_public_keys,
            PublicKeyRing(()),
            max_age_s=max_age_s,
            min_refetch_s=min_refetch_s,
            clock=clock,
        )


class KeyCache(_KeyCache[KeyRing]):
    """The private keys, for the functions that sign access tokens."""

    def __init__(
        self,
        load_secret: Callable[[], str | None],
        *,
        max_age_s: float = 300.0,
        min_refetch_s: float = 10.0,
        activation_delay_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            load_secret,
            parse_secret,
            KeyRing(()),
            max_age_s=max_age_s,
            min_refetch_s=min_refetch_s,
            clock=clock,
        )
        self._activation_delay_s = activation_delay_s
        self._wall_clock = wall_clock

    def signing_key(self) -> SigningKey:
        now = self._wall_clock()
        key = self.ring().active_signing_key(now, self._activation_delay_s)
        if key is None:  # maybe the first rotation just finished
            refetched = self._refetch_if_allowed()
            key = refetched.active_signing_key(now, self._activation_delay_s) if refetched else None
        if key is None:
            raise NoSigningKeyError("the signing-keys secret holds no key")
        return key
