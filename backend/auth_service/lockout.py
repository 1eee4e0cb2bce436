"""Brute-force arithmetic: the lockout schedule and fixed-window IP limits.

The lock schedule follows Amazon Cognito's documented behaviour: after 5 failed sign-ins the lock
lasts 1 s, doubling with each further failure — ``2^(n-5)`` s for the n-th failure — capped at 15
minutes. What is locked (an email from one source address, a user's re-authentication) is decided
in ``services.brute_force``; the counters are DynamoDB items updated with atomic, conditional
``ADD`` (``repositories.rate_limits``), so they hold across Lambda instances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LOCKOUT_THRESHOLD = 5
MAX_LOCKOUT_S = 15 * 60
# Failures are forgotten after this long without a new one (the counter item's TTL).
FAILURE_MEMORY_S = MAX_LOCKOUT_S + 15 * 60
# An email whose sign-ins failed this often (from any address) within FAILURE_MEMORY_S is under
# attack: every source address then locks after its first failure, not its fifth.
UNDER_ATTACK_FAILURES = 20


def lockout_delay_s(failures: int, threshold: int = LOCKOUT_THRESHOLD) -> int:
    """How long the lock lasts after the ``failures``-th consecutive failure: 1 s at ``threshold``
    failures, doubling with each further one, capped at :data:`MAX_LOCKOUT_S`."""
    if failures < threshold:
        return 0
    exponent = failures - threshold
    if exponent >= 10:  # 2^10 = 1024 s is already past the cap; avoid huge integers
        return MAX_LOCKOUT_S
    return min(2**exponent, MAX_LOCKOUT_S)


def retry_after_s(locked_until: float, now: float) -> int:
    """Seconds left on a lock, rounded up for ``Retry-After`` (at least 1)."""
    return max(1, math.ceil(locked_until - now))


@dataclass(frozen=True)
class Window:
    """A fixed rate-limit window: requests are counted per ``(key, start)``."""

    start: int
    length_s: int

    @property
    def end(self) -> int:
        return self.start + self.length_s

    def retry_after_s(self, now: float) -> int:
        return max(1, math.ceil(self.end - now))


def current_window(now: float, length_s: int) -> Window:
    length_s = max(1, length_s)
    return Window(start=int(now // length_s) * length_s, length_s=length_s)
