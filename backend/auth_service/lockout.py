"""Brute-force arithmetic: the per-account lockout schedule and fixed-window IP limits.

Account lockout follows Amazon Cognito's documented behaviour: after 5 failed sign-ins the
account is locked for 1 s, the lock doubling with each further failure — ``2^(n-5)`` s for
the n-th failure — capped at 15 minutes. The counters themselves are DynamoDB items updated
with atomic ``ADD`` (see ``repositories.rate_limits``), so they hold across Lambda instances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LOCKOUT_THRESHOLD = 5
MAX_LOCKOUT_S = 15 * 60
# Failures are forgotten after this long without a new one (the counter item's TTL).
FAILURE_MEMORY_S = MAX_LOCKOUT_S + 15 * 60


def lockout_delay_s(failures: int) -> int:
    """How long the account stays locked after its ``failures``-th consecutive failure."""
    if failures < LOCKOUT_THRESHOLD:
        return 0
    exponent = failures - LOCKOUT_THRESHOLD
    if exponent >= 10:  # 2^10 = 1024 s is already past the cap; avoid huge integers
        return MAX_LOCKOUT_S
    return min(2**exponent, MAX_LOCKOUT_S)


def lockout_remaining_s(failures: int, last_failure_at: float, now: float) -> int:
    """Seconds left on the lock (0 when not locked), rounded up for ``Retry-After``."""
    delay = lockout_delay_s(failures)
    if delay == 0:
        return 0
    remaining = last_failure_at + delay - now
    return math.ceil(remaining) if remaining > 0 else 0


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
