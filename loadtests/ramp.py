"""A ramp's outcome: each stair's figures and verdict, and the knee (pure: no Locust import).

``KneeRamp`` (loadtests/shapes.py) records one ``StairResult`` per stair while it runs; the
console's ramp table and the HTML summary's plot are both made from a ``RampOutcome``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from loadtests.budgets import EndpointFigures

ALL_REQUESTS = "all requests"


@dataclass(frozen=True)
class StairResult:
    users: int
    figures: list[EndpointFigures]  # per endpoint, over the stair's own requests
    broken: list[str]  # the budgets it broke (empty: within them)
    total: EndpointFigures | None = None  # every request of the stair together

    @property
    def rps(self) -> float:
        return sum(f.rps for f in self.figures)

    @property
    def slowest(self) -> EndpointFigures | None:
        """The endpoint with the highest p95 in this stair."""
        return max(self.figures, key=lambda f: f.p95_ms, default=None)


def stair_total(counts: Mapping[str, tuple[Mapping[int, int], int, int]], seconds: float) -> EndpointFigures:
    """Every endpoint's requests of a stair as one: (histogram, requests, failures) per endpoint."""
    merged: dict[int, int] = {}
    for histogram, _requests, _failures in counts.values():
        for ms, n in histogram.items():
            merged[ms] = merged.get(ms, 0) + n
    requests = sum(requests for _, requests, _ in counts.values())
    failures = sum(failures for _, _, failures in counts.values())
    return EndpointFigures.from_counts(ALL_REQUESTS, merged, requests, failures, seconds)


@dataclass(frozen=True)
class RampOutcome:
    stairs: list[StairResult]
    step_seconds: float

    @property
    def first_broken(self) -> int | None:
        return next((s.users for s in self.stairs if s.broken), None)

    @property
    def knee(self) -> int | None:
        """The last stair before the first broken one (None: not even the first stayed within)."""
        first_broken = self.first_broken
        within = [s.users for s in self.stairs if not s.broken]
        return max((u for u in within if first_broken is None or u < first_broken), default=None)

    def verdict(self) -> str:
        knee, first_broken = self.knee, self.first_broken
        if knee is None:
            return "KNEE: no stair stayed within the budgets (start lower: RAMP_START=1)."
        if first_broken is None:
            return f"KNEE: not reached; {knee} users (the last stair) stayed within the budgets."
        return f"KNEE: {knee} users stayed within the budgets; {first_broken} did not."

    def report(self) -> str:
        """The console's table of the stairs, ending with the verdict line."""
        lines = ["Ramp (each stair judged on its own requests)"]
        lines.append(f"{'users':>6}  {'req/s':>7}  {'worst p95':>26}  verdict")
        for stair in self.stairs:
            worst = stair.slowest
            worst_text = f"{worst.p95_ms:.0f} ms {worst.endpoint}" if worst else "-"
            verdict = "within budgets" if not stair.broken else "; ".join(stair.broken)
            lines.append(f"{stair.users:>6}  {stair.rps:>7.2f}  {worst_text:>26}  {verdict}")
        lines.append(self.verdict())
        return "\n".join(lines)
