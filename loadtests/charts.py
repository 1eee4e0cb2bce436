"""The summary's figures, drawn with matplotlib and returned as inline SVG (pure: data in, SVG out).

No pyplot: each chart is a ``matplotlib.figure.Figure`` of its own, saved as SVG, so nothing
touches a display or matplotlib's global figure list (the headless equivalent of the Agg backend,
for vector output). Text stays text in the SVG (``svg.fonttype: none``): the browser draws it, and
the labels (the knee's among them) can be searched and tested. ``svg.hashsalt`` makes the element
ids stable, so the same figures give the same SVG.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure

from loadtests.budgets import Budgets, EndpointFigures
from loadtests.ramp import RampOutcome

_SVG_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "loadtests-summary", "font.size": 9}
MET, BROKEN, NO_BUDGET, KNEE = "#2e7d32", "#c62828", "#9e9e9e", "#1565c0"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline in HTML: no XML declaration or DOCTYPE


def p95_chart(figures: Sequence[EndpointFigures], budgets: Budgets) -> str:
    """Horizontal bars: each endpoint's p95, its budget as a tick; a bar over its budget in red."""
    with matplotlib.rc_context(_SVG_STYLE):
        ordered = sorted(figures, key=lambda f: f.endpoint, reverse=True)  # A at the top
        fig = Figure(figsize=(7.5, 0.35 * len(ordered) + 1.0))
        ax = fig.add_subplot()
        rows = range(len(ordered))
        limits = [budgets.p95_limit(f.endpoint) for f in ordered]
        colours = [
            NO_BUDGET if limit is None else MET if f.p95_ms <= limit else BROKEN
            for f, limit in zip(ordered, limits, strict=True)
        ]
        ax.barh(list(rows), [f.p95_ms for f in ordered], color=colours, height=0.6)
        budget_rows = [(row, limit) for row, limit in zip(rows, limits, strict=True) if limit is not None]
        if budget_rows:
            ax.scatter(
                [limit for _, limit in budget_rows],
                [row for row, _ in budget_rows],
                marker="|",
                s=300,
                color="black",
                zorder=3,
            )
        ax.set_yticks(list(rows), [f.endpoint for f in ordered])
        ax.set_xlabel("p95 response time (ms)")
        ax.set_title("p95 per endpoint (bar; red: over its budget) and its budget (|)")
        ax.grid(axis="x", alpha=0.3)
        return _svg(fig)


def ramp_chart(outcome: RampOutcome) -> str:
    """Throughput and p95 per stair (users on x), broken stairs in red, the knee marked."""
    with matplotlib.rc_context(_SVG_STYLE):
        fig = Figure(figsize=(7.5, 5.5))
        top, bottom = fig.subplots(2, 1, sharex=True)
        users = [s.users for s in outcome.stairs]
        colours = [BROKEN if s.broken else MET for s in outcome.stairs]
        top.plot(users, [s.rps for s in outcome.stairs], color="black", linewidth=1, zorder=1)
        top.scatter(users, [s.rps for s in outcome.stairs], c=colours, zorder=2)
        top.set_ylabel("throughput (req/s)")
        top.set_ylim(bottom=0)
        top.set_title(f"Each stair judged on its own requests ({outcome.step_seconds:.0f} s per stair)")
        totals = [s.total.p95_ms if s.total else float("nan") for s in outcome.stairs]
        slowest = [s.slowest.p95_ms if s.slowest else float("nan") for s in outcome.stairs]
        bottom.plot(users, totals, marker="o", color="#555555", label="p95, all requests")
        bottom.plot(
            users, slowest, marker="s", linestyle="--", color="#ef6c00", label="p95, slowest endpoint"
        )
        bottom.scatter(users, slowest, c=colours, marker="s", zorder=3)
        bottom.set_ylabel("p95 (ms)")
        bottom.set_xlabel("users (red: the stair broke a budget)")
        bottom.legend(loc="upper left", frameon=False)
        for ax in (top, bottom):
            ax.grid(alpha=0.3)
            ax.set_xticks(users)
        knee = outcome.knee
        if knee is not None:
            for ax in (top, bottom):
                ax.axvline(knee, color=KNEE, linestyle=":", linewidth=2)
            reached = outcome.first_broken is not None
            label = f"knee: {knee} users" if reached else f"knee not reached ({knee} users within budgets)"
            top.annotate(
                label,
                xy=(knee, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(4, -12),
                textcoords="offset points",
                color=KNEE,
            )
        else:
            top.text(0.01, 0.9, "no stair stayed within the budgets", transform=top.transAxes, color=BROKEN)
        return _svg(fig)
