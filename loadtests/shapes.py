"""``KneeRamp``: a staircase of users for finding the knee (``make load-ramp``).

Used with the locustfile: ``locust -f loadtests/locustfile.py,loadtests/shapes.py``. The ramp
holds ``start`` users for ``step_seconds``, then adds ``step`` users per stair up to ``max``.
At the end of each stair it judges that stair alone (requests made during it, from a snapshot
of Locust's per-endpoint response-time histograms) against the budgets; it stops at the first
stair that breaks one, and the run reports the highest user count that stayed within them.

Settings (environment variables, so that they reach every process of a distributed run):
``RAMP_START`` (default 2), ``RAMP_STEP`` (2), ``RAMP_MAX`` (40), ``RAMP_STEP_SECONDS`` (20),
``RAMP_SPAWN_RATE`` (users per second, default 2), ``RAMP_WARMUP_SECONDS`` (15: ``RAMP_START``
users before the first stair, not judged, for the first cold start of each function). Each
stair includes the sign-up and sign-in of its new apps, and the cold starts of the Lambda
workers that its extra concurrency needs: that is what the knee is made of. On a distributed run the master's
figures lag its workers' by one report (~3 s), so keep stairs well above that.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from locust import LoadTestShape

# As in the locustfile: Locust puts this file's directory on sys.path, not the repository root.
_REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from loadtests.budgets import Budgets, EndpointFigures, broken_budgets, load_budgets  # noqa: E402
from loadtests.ramp import RampOutcome, StairResult, stair_total  # noqa: E402


@dataclass
class _Snapshot:
    counts: dict[str, tuple[dict[int, int], int, int]]  # endpoint -> (histogram, requests, failures)


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


class KneeRamp(LoadTestShape):
    def __init__(self) -> None:
        super().__init__()
        self.start = _env_int("RAMP_START", 2)
        self.step = _env_int("RAMP_STEP", 2)
        self.max_users = _env_int("RAMP_MAX", 40)
        self.step_seconds = float(_env_int("RAMP_STEP_SECONDS", 20))
        self.spawn_rate = float(_env_int("RAMP_SPAWN_RATE", 2))
        self.warmup_seconds = float(_env_int("RAMP_WARMUP_SECONDS", 15))
        self.results: list[StairResult] = []
        self._stair = -1
        self._snapshot: _Snapshot | None = None
        self._stopped = False

    def stair_users(self, index: int) -> int:
        return self.start + index * self.step

    def tick(self) -> tuple[int, float] | None:
        if self._stopped:
            return None
        run_time = self.get_run_time() - self.warmup_seconds
        if run_time < 0:
            # Warm-up, not judged: the first request of each function starts its first worker
            # (a cold start: imports, clients, keys), which no stair should be blamed for.
            return self.start, self.spawn_rate
        index = int(run_time // self.step_seconds)
        if index != self._stair:
            if self._stair >= 0:
                result = self._judge(self.stair_users(self._stair))
                if result.broken:
                    self._stopped = True  # past the knee: no need to push further
                    return None
            if self.stair_users(index) > self.max_users:
                self._stopped = True
                return None
            self._stair = index
            self._snapshot = self._take_snapshot()
        return self.stair_users(index), self.spawn_rate

    def _take_snapshot(self) -> _Snapshot:
        stats = self.runner.stats if self.runner is not None else None
        counts: dict[str, tuple[dict[int, int], int, int]] = {}
        for entry in stats.entries.values() if stats is not None else ():
            counts[f"{entry.method} {entry.name}"] = (
                dict(entry.response_times),
                entry.num_requests,
                entry.num_failures,
            )
        return _Snapshot(counts)

    def _judge(self, users: int) -> StairResult:
        before = self._snapshot or _Snapshot({})
        now = self._take_snapshot()
        deltas: dict[str, tuple[dict[int, int], int, int]] = {}
        for endpoint, (histogram, requests, failures) in now.counts.items():
            old_histogram, old_requests, old_failures = before.counts.get(endpoint, ({}, 0, 0))
            delta = {ms: n - old_histogram.get(ms, 0) for ms, n in histogram.items()}
            delta = {ms: n for ms, n in delta.items() if n}
            deltas[endpoint] = (delta, requests - old_requests, failures - old_failures)
        figures = [
            EndpointFigures.from_counts(endpoint, delta, requests, failures, self.step_seconds)
            for endpoint, (delta, requests, failures) in deltas.items()
        ]
        figures = [f for f in figures if f.requests or f.failures]
        result = StairResult(
            users=users,
            figures=figures,
            broken=broken_budgets(figures, self._budgets()),
            total=stair_total(deltas, self.step_seconds),
        )
        self.results.append(result)
        return result

    def _budgets(self) -> Budgets:
        return load_budgets(Path(self.runner.environment.parsed_options.budgets))

    def outcome(self) -> RampOutcome:
        """The stairs judged so far and the knee (the console's table and the HTML summary)."""
        return RampOutcome(stairs=list(self.results), step_seconds=self.step_seconds)
