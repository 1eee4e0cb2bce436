"""Per-function counters since start: invocations, errors by kind, throttles, recent durations.

Counted as CloudWatch's Lambda metrics count them
(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html): ``Invocations``
counts every run of the function's code, successful or not, but not a throttled request nor one
refused before any code ran (an event over 6 MB); ``Errors`` counts the function's own errors
and the runtime's (a timeout, a crash, a failed INIT); ``Throttles`` counts the throttled ones.

On the hot path: one call per invocation where its outcome is made
(:func:`emulator.lambda_runtime.invocation.resolve`), costing a lock, a few integer increments
and one append to a bounded deque. Percentiles are computed
only when someone asks (:meth:`FunctionStats.snapshot`, the dashboard's functions page).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Any

from emulator.lambda_runtime.api import InvocationResult

RECENT_DURATIONS = 1000  # per function: p50 and p99 are over the newest this many invocations
# Refused before any of the function's code ran: not invocations (Lambda's Throttles metric counts
# the first; the second is an invocation error the caller gets, with no metric of its own).
NOT_RUN = frozenset({"Throttled", "RequestTooLarge"})
# No handler ran, so no duration worth a percentile (the INIT's is in the REPORT line).
NO_DURATION = frozenset({"InitError"})


class FunctionStats:
    """Thread-safe: a result may be recorded by the gateway's loop or by a worker's thread."""

    __slots__ = ("_durations", "_lock", "by_kind", "errors", "invocations", "since", "throttles")

    def __init__(self, recent: int = RECENT_DURATIONS) -> None:
        self._lock = threading.Lock()
        self.since = time.time()
        self.invocations = 0
        self.errors = 0
        self.throttles = 0
        self.by_kind: dict[str, int] = {}  # error kind -> count ("Unhandled", "TimedOut"...)
        self._durations: deque[float] = deque(maxlen=recent)

    def record(self, result: InvocationResult) -> None:
        """Count an invocation's outcome."""
        error = result.error
        # acquire/release rather than ``with``: once per invocation, and ``with`` costs three
        # times as much (its __enter__/__exit__ lookups and the exit call's arguments).
        lock = self._lock
        lock.acquire()
        try:
            if error is None:
                self.invocations += 1
                self._durations.append(result.duration_ms)
                return
            kind = error.kind
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
            if kind == "Throttled":
                self.throttles += 1
            if kind in NOT_RUN:
                return
            self.invocations += 1
            self.errors += 1
            if kind not in NO_DURATION:
                self._durations.append(result.duration_ms)
        finally:
            lock.release()

    def snapshot(self) -> dict[str, Any]:
        """The counters and p50/p99 of the recent durations (None before any), as JSON."""
        with self._lock:
            durations = sorted(self._durations)
            by_kind = dict(self.by_kind)
            counts = (self.invocations, self.errors, self.throttles)
        invocations, errors, throttles = counts
        return {
            "since": self.since,
            "invocations": invocations,
            "errors": errors,
            "errorsByKind": by_kind,
            "timeouts": by_kind.get("TimedOut", 0),
            "throttles": throttles,
            "durationMs": {
                "p50": percentile(durations, 50),
                "p99": percentile(durations, 99),
                "samples": len(durations),
            },
        }


def percentile(ordered: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of sorted values (as CloudWatch's pNN statistics read), or None."""
    if not ordered:
        return None
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return round(ordered[rank - 1], 2)
