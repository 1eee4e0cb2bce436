"""One run's verdict as data (``RunSummary``) and as one self-contained HTML page (``summary.html``).

The console's last lines and the page say the same: each budget met or broken with its measured
value and limit, the per-endpoint figures, the failures, and for a ramp the stairs, a plot of
throughput and p95 per stair with the knee marked. Pure: the page is made from the summary alone
(the charts are inline SVG from loadtests/charts.py), so it is tested by feeding it figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path

from loadtests.budgets import Budgets, BudgetVerdict, EndpointFigures, budget_verdicts
from loadtests.ramp import RampOutcome


@dataclass(frozen=True)
class FailureLine:
    endpoint: str
    message: str
    occurrences: int


@dataclass(frozen=True)
class RunSummary:
    target: str
    ended: datetime
    figures: list[EndpointFigures]
    budgets: Budgets
    budgets_file: str = ""
    started: datetime | None = None
    settings: Mapping[str, str] = field(default_factory=dict)  # what the run was asked to do
    failures: list[FailureLine] = field(default_factory=list)
    ramp: RampOutcome | None = None
    links: Mapping[str, str] = field(default_factory=dict)  # label -> href (relative to the page)

    def verdicts(self) -> list[BudgetVerdict]:
        return budget_verdicts(self.figures, self.budgets)

    def broken(self) -> list[str]:
        """The whole run's broken budgets, one line each (a run without requests is one of them)."""
        lines = [v.describe() for v in self.verdicts() if not v.met]
        return lines if self.figures else [*lines, "no request was made"]

    def passed(self) -> bool:
        """A ramp passes when a knee was found (it goes past it on purpose); a run, within budgets."""
        return self.ramp.knee is not None if self.ramp is not None else not self.broken()

    def verdict(self) -> str:
        if self.ramp is not None:
            return self.ramp.verdict()
        broken = self.broken()
        return "All budgets met." if not broken else f"{len(broken)} budget(s) broken."


def write_summary(summary: RunSummary, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(summary), encoding="utf-8")
    return path


_CSS = """
body { font: 14px/1.45 -apple-system, system-ui, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
.verdict { padding: .6em 1em; border-radius: 4px; font-weight: 600; }
.pass { background: #e8f5e9; color: #1b5e20; } .fail { background: #ffebee; color: #b71c1c; }
table { border-collapse: collapse; margin: .5em 0; }
td, th { padding: .25em .7em; border-bottom: 1px solid #ddd; }
th { text-align: left; background: #f5f5f5; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.met { color: #1b5e20; font-weight: 600; } .broken { color: #b71c1c; font-weight: 600; }
dl { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; } dt { color: #666; }
svg { max-width: 100%; height: auto; }
"""


def render_html(summary: RunSummary) -> str:
    from loadtests.charts import p95_chart, ramp_chart  # matplotlib: only when a page is made

    kind = "Ramp" if summary.ramp is not None else "Load test"
    state = "pass" if summary.passed() else "fail"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{kind} summary: {escape(summary.verdict())}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{kind} summary</h1>",
        f'<p class="verdict {state}" id="verdict">{escape(summary.verdict())}</p>',
        _run_facts(summary),
    ]
    if summary.ramp is not None:
        parts += [
            "<h2>Stairs</h2>",
            f'<figure id="ramp-chart">{ramp_chart(summary.ramp)}</figure>',
            _stairs_table(summary.ramp, summary.budgets),
        ]
    scope = " (the whole run, for information: a ramp's verdict is its knee)" if summary.ramp else ""
    parts += [
        f"<h2>Budgets{scope}</h2>",
        _verdicts_table(summary.verdicts()),
        "<h2>Per endpoint</h2>",
        _figures_table(summary.figures, summary.budgets),
    ]
    if summary.figures:
        parts.append(f'<figure id="p95-chart">{p95_chart(summary.figures, summary.budgets)}</figure>')
    parts += [_failures_table(summary.failures), "</body></html>"]
    return "\n".join(parts) + "\n"


def _run_facts(summary: RunSummary) -> str:
    facts: dict[str, str] = {"target": summary.target}
    if summary.started is not None:
        facts["started"] = summary.started.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    facts["ended"] = summary.ended.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    facts.update(summary.settings)
    if summary.budgets_file:
        facts["budgets"] = summary.budgets_file
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts.items())
    links = " · ".join(f'<a href="{escape(h)}">{escape(label)}</a>' for label, h in summary.links.items())
    return f"<dl>{rows}</dl>" + (f"<p>{links}</p>" if links else "")


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], table_id: str) -> str:
    """Cells are HTML already (escaped by the caller); a cell starting with ``<td`` is used as is."""
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in row) + "</tr>" for row in rows
    )
    return f'<table id="{table_id}"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def _num(value: float, digits: int = 0) -> str:
    return f'<td class="n">{value:,.{digits}f}</td>'


def _mark(met: bool) -> str:
    return '<td class="met">met</td>' if met else '<td class="broken">broken</td>'


def _verdicts_table(verdicts: Sequence[BudgetVerdict]) -> str:
    rows = []
    for v in verdicts:
        if v.unit == "ratio":
            measured, limit = f"{v.measured:.2%} ({escape(v.detail)})", f"{v.limit:.2%}"
        else:
            measured, limit = f"{v.measured:.0f} ms", f"{v.limit:.0f} ms"
        rows.append([escape(v.budget), measured, limit, _mark(v.met)])
    return _table(["budget", "measured", "limit", "verdict"], rows, "budgets")


def _figures_table(figures: Sequence[EndpointFigures], budgets: Budgets, table_id: str = "endpoints") -> str:
    rows = []
    for f in figures:
        limit = budgets.p95_limit(f.endpoint)
        verdict = "<td>-</td>" if limit is None or not f.requests else _mark(f.p95_ms <= limit)
        rows.append(
            [
                escape(f.endpoint),
                _num(f.requests),
                _num(f.rps, 2),
                _num(f.p50_ms),
                _num(f.p95_ms),
                _num(f.p99_ms),
                _num(f.failures),
                "<td>-</td>" if limit is None else _num(limit),
                verdict,
            ]
        )
    total_requests, total_rps = sum(f.requests for f in figures), sum(f.rps for f in figures)
    rows.append(["<b>total</b>", _num(total_requests), _num(total_rps, 2), "", "", ""])
    rows[-1] += [_num(sum(f.failures for f in figures)), "", ""]
    head = ["endpoint", "reqs", "req/s", "p50 ms", "p95 ms", "p99 ms", "fails", "p95 budget ms", "p95"]
    return _table(head, rows, table_id)


def _stairs_table(ramp: RampOutcome, budgets: Budgets) -> str:
    rows = []
    for stair in ramp.stairs:
        slowest = stair.slowest
        knee = " (knee)" if stair.users == ramp.knee and ramp.first_broken is not None else ""
        verdict = "within budgets" if not stair.broken else "; ".join(stair.broken)
        per_endpoint = _figures_table(stair.figures, budgets, f"stair-{stair.users}")
        details = f"<details><summary>{escape(verdict)}</summary>{per_endpoint}</details>"
        rows.append(
            [
                f"{stair.users}{knee}",
                _num(stair.rps, 2),
                _num(stair.total.p95_ms) if stair.total else "-",
                escape(f"{slowest.p95_ms:.0f} ms {slowest.endpoint}") if slowest else "-",
                f'<td class="{"broken" if stair.broken else "met"}">{details}</td>',
            ]
        )
    head = ["users", "req/s", "p95 ms, all requests", "slowest p95", "verdict (click: per endpoint)"]
    return _table(head, rows, "stairs")


def _failures_table(failures: Sequence[FailureLine]) -> str:
    if not failures:
        return "<h2>Failures</h2><p>None.</p>"
    rows = [[escape(f.endpoint), escape(f.message), _num(f.occurrences)] for f in failures]
    return "<h2>Failures</h2>" + _table(["endpoint", "error", "count"], rows, "failures")
