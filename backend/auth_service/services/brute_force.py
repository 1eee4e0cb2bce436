"""Per-IP request limits and password-attempt locks, on shared DynamoDB counters.

Password attempts (sign-in, and re-entering the password to change it or delete the account) are
**reserved before the password is checked**: a conditional UpdateItem counts the attempt first,
and only an attempt the condition lets through gets a bcrypt check. Of 30 wrong passwords sent
at once, at most the lock threshold are checked; the others get 429 (OWASP ASVS 2.2.1). The
attempt that reaches the threshold holds the lock while its check runs; a failure then locks for
Cognito's growing delay, a success clears the count in the same transaction as its session.

What a lock covers (so that nobody can lock someone else out for good):
- sign-in: one **email from one source address** (hard lock, 5 failures); the email's failures
  from every address are tallied too, and once it is under attack (20 within 30 minutes) every
  address locks after its first failure. The owner's right password from their own address still
  gets in, and a password reset clears the email's locks.
- re-entering the password while signed in (change, delete): one **user**, plus a per-IP window:
  a stolen access token must not become a password-guessing oracle.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from auth_service import errors
from auth_service.lockout import (
    FAILURE_MEMORY_S,
    LOCKOUT_THRESHOLD,
    MAX_LOCKOUT_S,
    UNDER_ATTACK_FAILURES,
    current_window,
    lockout_delay_s,
    retry_after_s,
)
from auth_service.log import logger
from auth_service.repositories.dynamodb import ItemRef
from auth_service.repositories.rate_limits import (
    RateLimitsRepository,
    ip_key,
    lock_key,
    lock_state,
    tally,
    tally_key,
)

# How long the attempt that reaches the threshold holds the lock while its password is checked:
# longer than any function's Timeout, so a crashed check frees it by itself.
HOLD_S = 30
ANY_SOURCE = "*"


@dataclass(frozen=True)
class PasswordLock:
    """What password attempts are counted and locked for: a subject from a source."""

    scope: str  # "login" | "reauth"
    subject: str  # the normalised email (login), the userId (reauth)
    source: str = ANY_SOURCE  # the source IP, or every source

    @property
    def key(self) -> str:
        return lock_key(self.scope, self.subject, self.source)


@dataclass(frozen=True)
class Attempt:
    """A reserved password attempt: counted, its password not yet checked."""

    lock: PasswordLock
    failures: int  # counted so far, this attempt included
    threshold: int


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

    # -- password attempts -------------------------------------------------------------------------
    def lock_ref(self, lock: PasswordLock) -> ItemRef:
        """The lock's item, for a caller that reads it along with others (``dynamodb.get_items``)."""
        return self._repository.ref(lock.key)

    def tally_ref(self, scope: str, subject: str) -> ItemRef:
        """The subject's failures from every source (read with the lock; see :meth:`threshold`)."""
        return self._repository.ref(tally_key(scope, subject))

    def threshold(self, tally_item: Mapping[str, Any] | None) -> int:
        """Failures before a source is locked: 5, or 1 while the subject is under attack."""
        under_attack = tally(tally_item, int(self._clock())) >= UNDER_ATTACK_FAILURES
        return 1 if under_attack else LOCKOUT_THRESHOLD

    def reserve(
        self, lock: PasswordLock, lock_item: Mapping[str, Any] | None, *, threshold: int = LOCKOUT_THRESHOLD
    ) -> Attempt:
        """Count one attempt before its password is checked; 429 ``account_locked`` while locked."""
        now = self._clock()
        state = lock_state(lock_item, int(now))
        if state.expired_leftover:
            self._repository.forget_expired(lock.key, int(now))
        expires_at = int(now) + MAX_LOCKOUT_S + FAILURE_MEMORY_S
        for _ in range(2):
            if state.locked(now):
                raise errors.account_locked(retry_after_s(state.locked_until, now))
            if state.failures + 1 < threshold:
                counted = self._repository.reserve_free_attempt(
                    lock.key, free_below=threshold - 1, expires_at=expires_at
                )
            else:
                counted = self._repository.reserve_held_attempt(
                    lock.key, now=int(now), hold_until=int(now) + HOLD_S, expires_at=expires_at
                )
            if counted is not None:
                return Attempt(lock=lock, failures=counted, threshold=threshold)
            # A concurrent attempt was counted first: look again (it may now hold the lock).
            state = lock_state(self._repository.get(lock.key), int(now))
        raise errors.account_locked(retry_after_s(max(state.locked_until, now + 1), now))

    def failed(self, attempt: Attempt, *, log_extra: Mapping[str, Any]) -> None:
        """The password was wrong: lock once the threshold is reached, and tally the failure."""
        now = math.ceil(self._clock())  # the lock runs from this whole second (never shortened)
        lock = attempt.lock
        if attempt.failures >= attempt.threshold:
            delay = lockout_delay_s(attempt.failures, attempt.threshold)
            self._repository.set_lock(lock.key, failures=attempt.failures, locked_until=now + delay)
            logger.warning(
                "password attempts locked",
                extra={**log_extra, "scope": lock.scope, "failures": attempt.failures, "lockSeconds": delay},
            )
        if lock.source != ANY_SOURCE:
            self._repository.count_failure(
                tally_key(lock.scope, lock.subject), now, expires_at=now + FAILURE_MEMORY_S
            )

    def success_member(self, attempt: Attempt) -> dict[str, Any]:
        """The write that clears the lock after a right password (a TransactWriteItems member)."""
        return self._repository.clear_member(attempt.lock.key)

    def clear(self, lock: PasswordLock) -> None:
        self._repository.clear(lock.key)

    def clear_tally(self, scope: str, subject: str) -> None:
        self._repository.clear(tally_key(scope, subject))
