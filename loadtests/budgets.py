"""Load-test budgets (``loadtests/budgets.toml``) and the per-endpoint summary of a run.

A budget is broken when any request failed (``max_fail_ratio``, 0 by default) or when an
endpoint's 95th percentile exceeds its ``[p95_ms]`` entry (``"<METHOD> <name>"`` keys, e.g.
``"GET /auth/validate"``; ``default`` applies to endpoints without an entry).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing locust monkey-patches the standard library (gevent): only when running
    from locust.stats import RequestStats, StatsEntry

DEFAULT_BUDGETS_FILE = Path(__file__).resolve().parent / "budgets.toml"


class BudgetFileError(ValueError):
    pass


@dataclass(frozen=True)
class Budgets:
    max_fail_ratio: float = 0.0
    p95_ms: Mapping[str, float] = field(default_factory=dict)
    default_p95_ms: float | None = None

    def p95_limit(self, endpoint: str) -> float | None:
        return self.p95_ms.get(endpoint, self.default_p95_ms)


def load_budgets(path: Path) -> Budgets:
    try:
        data = tomllib.loads(path.read_text())
    except OSError as error:
        raise BudgetFileError(f"{path}: cannot read the budgets file ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise BudgetFileError(f"{path}: not valid TOML ({error})") from None
    p95 = data.get("p95_ms", {})
    if not isinstance(p95, dict) or not all(isinstance(v, int | float) for v in p95.values()):
        raise BudgetFileError(f"{path}: [p95_ms] must map '<METHOD> <path>' to milliseconds")
    limits = {str(k): float(v) for k, v in p95.items() if k != "default"}
    default = p95.get("default")
    ratio = data.get("max_fail_ratio", 0.0)
    if not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
        raise BudgetFileError(f"{path}: max_fail_ratio must be a number between 0 and 1")
    return Budgets(
        max_fail_ratio=float(ratio), p95_ms=limits, default_p95_ms=None if default is None else float(default)
    )


def histogram_percentile(response_times: Mapping[int, int], requests: int, percent: float) -> int:
    """The response time within which ``percent`` of the requests finished.

    The rule of Locust's ``calculate_response_time_percentile`` over its bucketed histogram, so that
    a ramp step's figures match Locust's own report. Not imported from Locust: importing any locust
    module monkey-patches the standard library (gevent), which must not happen in a test process.
    """
    allowed_above = int(requests * percent)
    processed = 0
    for response_time in sorted(response_times, reverse=True):
        processed += response_times[response_time]
        if requests - processed <= allowed_above:
            return response_time
    return 0


@dataclass(frozen=True)
class EndpointFigures:
    """One endpoint over a window: a whole run, or one step of a ramp."""

    endpoint: str  # "<METHOD> <name>"
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @classmethod
    def from_counts(
        cls, endpoint: str, response_times: Mapping[int, int], requests: int, failures: int, seconds: float
    ) -> EndpointFigures:
        def pct(p: float) -> float:
            return float(histogram_percentile(response_times, requests, p)) if requests else 0.0

        return cls(
            endpoint=endpoint,
            requests=requests,
            failures=failures,
            rps=requests / seconds if seconds > 0 else 0.0,
            p50_ms=pct(0.50),
            p95_ms=pct(0.95),
            p99_ms=pct(0.99),
        )

    @classmethod
    def from_entry(cls, entry: StatsEntry) -> EndpointFigures:
        return cls(
            endpoint=f"{entry.method} {entry.name}",
            requests=entry.num_requests,
            failures=entry.num_failures,
            rps=entry.total_rps,
            p50_ms=float(entry.get_response_time_percentile(0.50)),
            p95_ms=float(entry.get_response_time_percentile(0.95)),
            p99_ms=float(entry.get_response_time_percentile(0.99)),
        )


def run_figures(stats: RequestStats) -> list[EndpointFigures]:
    entries = [e for e in stats.entries.values() if e.num_requests or e.num_failures]
    return sorted((EndpointFigures.from_entry(e) for e in entries), key=lambda f: f.endpoint.split()[::-1])


@dataclass(frozen=True)
class BudgetVerdict:
    """One budget judged over a window: the fail ratio of all requests, or one endpoint's p95."""

    budget: str  # "fail ratio" or "<METHOD> <name> p95"
    measured: float
    limit: float
    unit: str  # "ratio" or "ms"
    detail: str = ""  # e.g. "3 of 120 requests"

    @property
    def met(self) -> bool:
        return self.measured <= self.limit

    def describe(self) -> str:
        """The console's line for a broken budget (also the HTML summary's)."""
        if self.unit == "ratio":
            return f"{self.budget} {self.measured:.2%} > {self.limit:.2%} ({self.detail})"
        endpoint = self.budget.removesuffix(" p95")
        return f"{endpoint}: p95 {self.measured:.0f} ms > {self.limit:.0f} ms"


def budget_verdicts(figures: Iterable[EndpointFigures], budgets: Budgets) -> list[BudgetVerdict]:
    """Every budget that applies to the window, met or not: the fail ratio, then each endpoint's p95."""
    figures = list(figures)
    requests = sum(f.requests for f in figures)
    failures = sum(f.failures for f in figures)
    # Locust counts a failed request in num_requests too, so this is its own fail_ratio.
    ratio = failures / requests if requests else 0.0
    verdicts = [
        BudgetVerdict("fail ratio", ratio, budgets.max_fail_ratio, "ratio", f"{failures} of {requests}")
    ]
    for figure in figures:
        limit = budgets.p95_limit(figure.endpoint)
        if limit is not None and figure.requests:
            verdicts.append(BudgetVerdict(f"{figure.endpoint} p95", figure.p95_ms, limit, "ms"))
    return verdicts


def broken_budgets(figures: Iterable[EndpointFigures], budgets: Budgets) -> list[str]:
    """One line per broken budget; empty when the window stayed within every budget."""
    return [verdict.describe() for verdict in budget_verdicts(figures, budgets) if not verdict.met]


def summary_table(figures: Iterable[EndpointFigures], budgets: Budgets) -> str:
    figures = list(figures)
    width = max([len(f.endpoint) for f in figures] + [8])
    head = f"{'endpoint':<{width}}  {'reqs':>6}  {'req/s':>7}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}"
    head += f"  {'fails':>5}  {'p95 budget':>10}"
    lines = [head, "-" * len(head)]
    for f in figures:
        limit = budgets.p95_limit(f.endpoint)
        mark = "-" if limit is None else f"{limit:.0f}{'' if f.p95_ms <= limit else ' !'}"
        lines.append(
            f"{f.endpoint:<{width}}  {f.requests:>6}  {f.rps:>7.2f}  {f.p50_ms:>7.0f}  {f.p95_ms:>7.0f}"
            f"  {f.p99_ms:>7.0f}  {f.failures:>5}  {mark:>10}"
        )
    total_requests = sum(f.requests for f in figures)
    lines.append("-" * len(head))
    lines.append(
        f"{'total':<{width}}  {total_requests:>6}  {sum(f.rps for f in figures):>7.2f}"
        f"  {'':>7}  {'':>7}  {'':>7}  {sum(f.failures for f in figures):>5}"
    )
    return "\n".join(lines)
