"""Run inside a child process with a function's environment (see test_codes_and_send_limits).

One-time codes and send limits through the backend's own services and DynamoDB client, against the
stack's tables, with a clock the child moves: expiry, tries, single use, replacement, and the
1-a-minute / 5-an-hour send limits. Prints one JSON object of outcomes.
"""

from __future__ import annotations

import json
import sys
import uuid
from typing import Any

from auth_service.errors import ApiError
from auth_service.keyed_hash import KeyedHasher
from auth_service.repositories.codes import CodesRepository
from auth_service.repositories.rate_limits import RateLimitsRepository
from auth_service.services.codes import OneTimeCodes
from auth_service.services.deps import settings
from auth_service.services.send_limits import SendLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 2_000_000_000.0

    def __call__(self) -> float:
        return self.now


def outcome(call: Any) -> str:
    try:
        call()
    except ApiError as error:
        retry = error.headers.get("Retry-After")
        return f"{error.status} {error.code}" + (f" retry={retry}" if retry else "")
    return "ok"


def main() -> None:
    clock = Clock()
    hasher = KeyedHasher(b"k" * 64)
    codes = OneTimeCodes(CodesRepository(settings().codes_table), lambda: hasher, clock=clock)
    subject = uuid.uuid4().hex
    results: dict[str, Any] = {}

    code = codes.issue("verify", subject, user_id=subject)
    clock.now += 15 * 60 - 1
    results["just before 15 min"] = outcome(lambda: codes.check("verify", subject, code))
    clock.now += 1
    results["at 15 min"] = outcome(lambda: codes.check("verify", subject, code))

    old = codes.issue("verify", subject, user_id=subject)
    new = codes.issue("verify", subject, user_id=subject)
    results["a replaced code"] = (
        outcome(lambda: codes.check("verify", subject, old)) if old != new else "400 invalid_code"
    )
    results["its replacement"] = outcome(lambda: codes.check("verify", subject, new))
    tried = codes.issue("verify", subject, user_id=subject)
    wrong = f"{(int(tried) + 1) % 10**6:06d}"
    results["five wrong tries"] = [outcome(lambda: codes.check("verify", subject, wrong)) for _ in range(5)]
    results["then the right one"] = outcome(lambda: codes.check("verify", subject, tried))

    limiter = SendLimiter(RateLimitsRepository(settings().rate_limits_table), clock=clock)
    clock.now = 2_000_000_000.0 - (2_000_000_000 % 3600)  # the start of an hour window
    sends = []
    for step in range(7):
        sends.append(outcome(lambda: limiter.take("verify", subject)))
        if step == 0:
            sends.append(outcome(lambda: limiter.take("verify", subject)))  # at once: 1 a minute
        clock.now += 61
    results["sends"] = sends
    print(json.dumps(results))


if __name__ == "__main__":
    sys.exit(main())
