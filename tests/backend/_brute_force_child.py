"""Run inside a child process with the LoginFunction's environment (see test_brute_force_concurrency).

Thirty password attempts for one lock reserved at the same instant, from 30 threads, through the
backend's own guard and DynamoDB client against the stack's DynamoDB; the clock is frozen, so the
lock cannot run out during the burst. Then the same for a subject under attack (threshold 1).
Prints one JSON object: how many reservations went through, and what the others got.
"""

from __future__ import annotations

import json
import sys
import threading
import uuid
from collections import Counter

from auth_service.errors import ApiError
from auth_service.lockout import LOCKOUT_THRESHOLD
from auth_service.repositories.rate_limits import RateLimitsRepository
from auth_service.services.brute_force import BruteForceGuard, PasswordLock
from auth_service.services.deps import settings

FROZEN_NOW = 2_000_000_000.0
ATTEMPTS = 30


def burst(guard: BruteForceGuard, lock: PasswordLock, threshold: int) -> dict[str, int]:
    outcomes: Counter[str] = Counter()
    start = threading.Barrier(ATTEMPTS)

    def attempt() -> None:
        start.wait()
        try:
            reserved = guard.reserve(lock, None, threshold=threshold)
        except ApiError as error:
            outcomes[f"{error.status} {error.code}"] += 1
            return
        outcomes["checked"] += 1
        guard.failed(reserved, log_extra={})  # every password in the burst is wrong

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return dict(outcomes)


def main() -> None:
    guard = BruteForceGuard(
        RateLimitsRepository(settings().rate_limits_table),
        ip_limits={},
        window_s=300,
        clock=lambda: FROZEN_NOW,
    )
    email = f"burst-{uuid.uuid4().hex}@example.com"
    normal = burst(guard, PasswordLock("login", email, "10.1.1.1"), LOCKOUT_THRESHOLD)
    attacked = burst(guard, PasswordLock("login", email, "10.1.1.2"), 1)
    print(json.dumps({"normal": normal, "underAttack": attacked}))


if __name__ == "__main__":
    sys.exit(main())
