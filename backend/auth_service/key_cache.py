"""The signing keys cached in the execution environment.

Fetched at first use (cold start), refreshed after ``max_age_s`` so a rotation reaches warm
instances within minutes, and refetched at once — but at most every ``min_refetch_s`` — when
a token names an unknown ``kid`` (a key rotated in after this instance cached the list), so
random kids cannot turn into a Secrets Manager request flood.

A new key signs only once it has been listed for ``activation_delay_s`` (twice the cache age):
by then every verifier's cached list includes it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from auth_service.signing_keys import KeyRing, SigningKey, parse_secret


class NoSigningKeyError(RuntimeError):
    """The secret holds no key yet (rotation has not run)."""


class KeyCache:
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
        self._load_secret = load_secret
        self._max_age_s = max_age_s
        self._min_refetch_s = min_refetch_s
        self._activation_delay_s = activation_delay_s
        self._clock = clock
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._ring: KeyRing | None = None
        self._fetched_at = float("-inf")

    def _fetch(self) -> KeyRing:
        secret = self._load_secret()
        ring = parse_secret(secret) if secret else KeyRing(())
        self._ring, self._fetched_at = ring, self._clock()
        return ring

    def ring(self) -> KeyRing:
        with self._lock:
            if self._ring is None or self._clock() - self._fetched_at >= self._max_age_s:
                return self._fetch()
            return self._ring

    def signing_key(self) -> SigningKey:
        now = self._wall_clock()
        key = self.ring().active_signing_key(now, self._activation_delay_s)
        if key is None:
            with self._lock:  # maybe the first rotation just finished
                if self._clock() - self._fetched_at >= self._min_refetch_s:
                    key = self._fetch().active_signing_key(now, self._activation_delay_s)
        if key is None:
            raise NoSigningKeyError("the signing-keys secret holds no key")
        return key

    def find(self, kid: str) -> SigningKey | None:
        key = self.ring().get(kid)
        if key is not None:
            return key
        with self._lock:
            if self._clock() - self._fetched_at < self._min_refetch_s:
                return None
            return self._fetch().get(kid)
