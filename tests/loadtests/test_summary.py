"""The HTML summary and its charts, fed with figures (no Locust, no server)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from loadtests.budgets import Budgets, EndpointFigures, broken_budgets
from loadtests.charts import p95_chart, ramp_chart
from loadtests.ramp import RampOutcome, StairResult, stair_total
from loadtests.summary import FailureLine, RunSummary, render_html, write_summary

BUDGETS = Budgets(p95_ms={"GET /auth/validate": 500, "POST /auth/login": 3000}, default_p95_ms=1000)
ENDED = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def figures(endpoint: str, times_ms: list[int], failures: int = 0, seconds: float = 10.0) -> EndpointFigures:
    histogram: dict[int, int] = {}
    for ms in times_ms:
        histogram[ms] = histogram.get(ms, 0) + 1
    return EndpointFigures.from_counts(endpoint, histogram, len(times_ms), failures, seconds)


def stair(users: int, validate_ms: int) -> StairResult:
    counts = {"GET /auth/validate": ({validate_ms: 20}, 20, 0), "POST /auth/login": ({250: 4}, 4, 0)}
    per_endpoint = [
        EndpointFigures.from_counts(name, hist, n, f, 10.0) for name, (hist, n, f) in counts.items()
    ]
    return StairResult(users, per_endpoint, broken_budgets(per_endpoint, BUDGETS), stair_total(counts, 10.0))


class _Tables(HTMLParser):
    """Each table's rows by id, as the text of their cells; a nested table is a table of its own."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._open: list[list[list[str]]] = []  # the tables being read, innermost last
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            rows: list[list[str]] = []
            self.tables[dict(attrs).get("id") or f"#{len(self.tables)}"] = rows
            self._open.append(rows)
        elif tag == "tr" and self._open:
            self._open[-1].append([])
        elif tag in ("td", "th") and self._open:
            self._open[-1][-1].append("")
            self._cell = self._open[-1][-1]

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._open:
            self._open.pop()
            self._cell = self._open[-1][-1] if self._open and self._open[-1] else None
        elif tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[-1] += data


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each row's cells of one table of the page (text unescaped, as a browser shows it)."""
    parser = _Tables()
    parser.feed(html)
    assert table_id in parser.tables, f"no table {table_id}"
    return parser.tables[table_id]


def test_a_run_within_budgets_says_so_with_each_budget_measured_and_its_limit() -> None:
    run = RunSummary(
        target="http://127.0.0.1:3000/prod",
        ended=ENDED,
        figures=[figures("GET /auth/validate", [12] * 19 + [40]), figures("POST /auth/login", [250] * 4)],
        budgets=BUDGETS,
    )
    html = render_html(run)
    assert run.passed()
    assert '<p class="verdict pass" id="verdict">All budgets met.</p>' in html
    assert cells(html, "budgets")[1:] == [
        ["fail ratio", "0.00% (0 of 24)", "0.00%", "met"],
        ["GET /auth/validate p95", "40 ms", "500 ms", "met"],  # Locust's p95 of 20: the 20th
        ["POST /auth/login p95", "250 ms", "3000 ms", "met"],
    ]
    endpoints = cells(html, "endpoints")
    assert endpoints[0][:6] == ["endpoint", "reqs", "req/s", "p50 ms", "p95 ms", "p99 ms"]
    assert endpoints[1] == ["GET /auth/validate", "20", "2.00", "12", "40", "40", "0", "500", "met"]
    assert endpoints[-1][:3] == ["total", "24", "2.40"]
    assert '<figure id="p95-chart"><svg' in html
    assert "ramp-chart" not in html
    # Self-contained: opens from disk, no script, nothing fetched.
    assert "<script" not in html
    assert not re.search(r"""(src|xlink:href)=["']?https?:""", html)


def test_broken_budgets_and_failures_are_named() -> None:
    run = RunSummary(
        target="https://api.example.com/prod",
        ended=ENDED,
        figures=[figures("GET /auth/validate", [900] * 10, failures=1)],
        budgets=BUDGETS,
        failures=[FailureLine("GET /auth/validate", "500 (expected 200): <html>", 1)],
    )
    html = render_html(run)
    assert not run.passed()
    assert run.broken() == ["fail ratio 10.00% > 0.00% (1 of 10)", "GET /auth/validate: p95 900 ms > 500 ms"]
    assert '<p class="verdict fail" id="verdict">2 budget(s) broken.</p>' in html
    assert [row[-1] for row in cells(html, "budgets")[1:]] == ["broken", "broken"]
    # The app's error text is data, not markup.
    assert cells(html, "failures")[1] == ["GET /auth/validate", "500 (expected 200): <html>", "1"]


def test_a_run_without_requests_fails() -> None:
    run = RunSummary(target="t", ended=ENDED, figures=[], budgets=BUDGETS)
    assert run.broken() == ["no request was made"]
    assert '<p class="verdict fail"' in render_html(run)


def test_a_ramp_page_has_the_stairs_the_plot_and_the_knee() -> None:
    ramp = RampOutcome([stair(2, 20), stair(4, 80), stair(6, 700)], step_seconds=10.0)
    run = RunSummary(
        target="t",
        ended=ENDED,
        figures=[figures("GET /auth/validate", [20, 80, 700])],
        budgets=BUDGETS,
        ramp=ramp,
    )
    html = render_html(run)
    assert ramp.knee == 4
    assert run.passed()  # a ramp passes when it found a knee, although the whole run broke a budget
    assert "KNEE: 4 users stayed within the budgets; 6 did not." in html
    rows = cells(html, "stairs")
    assert [row[0] for row in rows[1:]] == ["2", "4 (knee)", "6"]
    assert rows[1][1:4] == ["2.40", "250", "250 ms POST /auth/login"]
    assert rows[3][4].startswith("GET /auth/validate: p95 700 ms > 500 ms")
    assert cells(html, "stair-6")[1][0] == "GET /auth/validate"  # the stair's own per-endpoint table
    assert '<figure id="ramp-chart"><svg' in html
    assert "(the whole run, for information" in html


def test_the_ramp_chart_marks_the_knee_and_is_svg() -> None:
    svg = ramp_chart(RampOutcome([stair(2, 20), stair(4, 80), stair(6, 700)], step_seconds=10.0))
    ElementTree.fromstring(svg)  # well-formed
    assert "knee: 4 users" in svg
    assert "throughput (req/s)" in svg
    assert "p95, slowest endpoint" in svg


def test_the_ramp_chart_when_no_stair_broke_or_the_first_did() -> None:
    assert "knee not reached (4 users within budgets)" in ramp_chart(
        RampOutcome([stair(2, 20), stair(4, 30)], step_seconds=10.0)
    )
    first_broken = RampOutcome([stair(2, 900)], step_seconds=10.0)
    assert first_broken.knee is None
    assert "no stair stayed within the budgets" in ramp_chart(first_broken)


def test_the_p95_chart_names_every_endpoint() -> None:
    svg = p95_chart([figures("GET /auth/validate", [20]), figures("GET /new/endpoint", [5])], BUDGETS)
    ElementTree.fromstring(svg)
    assert "GET /auth/validate" in svg
    assert "GET /new/endpoint" in svg
    assert "and its budget (|)" in svg


def test_the_same_figures_give_the_same_page(tmp_path: Path) -> None:
    run = RunSummary(target="t", ended=ENDED, figures=[figures("GET /auth/validate", [20])], budgets=BUDGETS)
    first = write_summary(run, tmp_path / "a" / "summary.html").read_text()
    assert first == render_html(run)
