"""Per-IP request limits and per-account lockout, on shared DynamoDB counters."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from auth_service import errors
from auth_service.lockout import FAILURE_MEMORY_S, current_window, lockout_delay_s, lockout_remaining_s
from auth_service.log import logger
from auth_service.repositories.dynamodb import ItemRef
from auth_service.repositories.rate_limits import (
    FailureRecord,
    RateLimitsRepository,
    account_key,
    failure_record,
    ip_key,
)


class BruteForceGuard:
    def __init__(
        self,
        repository: RateLimitsRepository,
        *,
        ip_limits: Mapping[str, int],
        window_s: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repository = repository
        self._ip_limits = dict(ip_limits)
        self._window_s = window_s
        self._clock = clock

    def check_ip(self, action: str, ip: str) -> None:
        """Count this request; 429 ``rate_limited`` once ``ip`` exceeds the action's limit per window."""
        limit, window_s = self._ip_limits.get(action, 0), self._window_s
        if limit <= 0:
            return  # disabled
        now = self._clock()
        window = current_window(now, window_s)
        hits = self._repository.hit(ip_key(action, ip, window.start), expires_at=window.end + 60)
        if hits > limit:
            logger.warning("ip rate limit exceeded", extra={"action": action, "sourceIp": ip, "hits": hits})
            raise errors.rate_limited(window.retry_after_s(now))

    def account_ref(self, email: str) -> ItemRef:
        """The account's failure counter, for a caller that reads it along with other items."""
        return self._repository.failures_ref(account_key(email))

    def check_account(self, email: str) -> bool:
        """429 ``account_locked`` while the account's lock runs (checked before the password).

        Returns whether recent failures are on record (so a success must clear them).
        """
        now = self._clock()
        return self._check_record(self._repository.failures(account_key(email), int(now)), now)

    def check_account_item(self, item: Mapping[str, Any] | None) -> bool:
        """:meth:`check_account` on the counter's item read by the caller (see :meth:`account_ref`)."""
        now = self._clock()
        return self._check_record(failure_record(item, int(now)), now)

    def _check_record(self, record: FailureRecord | None, now: float) -> bool:
        if record is None:
            return False
        remaining = lockout_remaining_s(record.failures, record.last_failure_at, now)
        if remaining > 0:
            raise errors.account_locked(remaining)
        return True

    def record_failure(self, email: str) -> int:
        # Rounded up, not truncated: the lock is measured from this whole second, so truncating would
        # shorten a 1 s lock by the elapsed fraction of the second (down to almost nothing).
        now = math.ceil(self._clock())
        failures = self._repository.record_failure(
            account_key(email), now, expires_at=now + lockout_delay_s(10**6) + FAILURE_MEMORY_S
        )
        if lockout_delay_s(failures):
            logger.warning(
                "account locked", extra={"failures": failures, "lockSeconds": lockout_delay_s(failures)}
            )
        return failures

    def record_success(self, email: str) -> None:
        self._repository.clear(account_key(email))
