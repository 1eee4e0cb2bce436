"""How often the backend emails one subject: at most one message a minute and 5 an hour.

Counted on shared DynamoDB items in one transaction (both limits or neither), before the email is
sent, so that concurrent requests cannot send more than the limits allow. Over a limit: 429
``rate_limited`` with ``Retry-After``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from auth_service import errors
from auth_service.lockout import current_window
from auth_service.repositories.rate_limits import RateLimitsRepository, send_key, send_window_key

MIN_INTERVAL_S = 60
PER_HOUR = 5
HOUR_S = 3600


class SendLimiter:
    def __init__(self, repository: RateLimitsRepository, *, clock: Callable[[], float] = time.time) -> None:
        self._repository = repository
        self._clock = clock

    def take(self, purpose: str, subject: str) -> None:
        """Count one email to ``subject`` for ``purpose``; 429 when a limit is reached."""
        now = self._clock()
        window = current_window(now, HOUR_S)
        interval_key = send_key(purpose, subject)
        interval_ok, window_ok = self._repository.take_send_slot(
            interval_key=interval_key,
            window_key=send_window_key(purpose, subject, window.start),
            now=int(now),
            min_interval_s=MIN_INTERVAL_S,
            per_window=PER_HOUR,
            window_end=window.end,
        )
        if not window_ok:
            raise errors.rate_limited(window.retry_after_s(now))
        if not interval_ok:
            last = self._repository.last_sent_at(interval_key)
            raise errors.rate_limited(max(1, math.ceil(last + MIN_INTERVAL_S - now)))
