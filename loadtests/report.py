"""The end of a run: the console's summary and verdict, the HTML summary, and the exit code.

Called by the locustfile's ``quitting`` listener on the process that holds the whole run's
figures: the only runner of a one-process run, or the master of a distributed one (``--processes``
or ``--master``), which aggregates its workers' statistics. The page goes to ``--summary-html``,
by default ``summary.html`` beside Locust's ``--html`` report; the console's last line is its path.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loadtests.budgets import BudgetFileError, load_budgets, run_figures, summary_table
from loadtests.summary import FailureLine, RunSummary, write_summary

log = logging.getLogger("loadtests")


def summary_path(options: Any) -> Path | None:
    if getattr(options, "summary_html", ""):
        return Path(options.summary_html)
    html_file = getattr(options, "html_file", None)
    return Path(html_file).with_name("summary.html") if html_file else None


def report_run(environment: Any) -> int:
    """Print the verdict, write the HTML summary; the process's exit code (0, 1, or 2: bad budgets)."""
    options = environment.parsed_options
    try:
        budgets = load_budgets(Path(options.budgets))
    except BudgetFileError as error:
        log.error("%s", error)
        return 2
    figures = run_figures(environment.stats)
    outcome = getattr(environment.shape_class, "outcome", None)
    ramp = outcome() if outcome is not None else None
    page = summary_path(options)
    summary = RunSummary(
        target=str(environment.host or ""),
        started=datetime.fromtimestamp(environment.stats.start_time, UTC),
        ended=datetime.now(UTC),
        figures=figures,
        budgets=budgets,
        budgets_file=str(options.budgets),
        settings=_settings(environment),
        failures=_failures(environment.stats),
        ramp=ramp,
        links=_links(options, page) if page is not None else {},
    )
    print("\nPer-endpoint summary\n" + summary_table(figures, budgets), flush=True)
    if ramp is not None:
        # A ramp goes past the knee on purpose: its verdict is the knee, not the whole run.
        print("\n" + ramp.report(), flush=True)
    else:
        for line in summary.broken():
            print(f"BUDGET BROKEN: {line}", flush=True)
        if summary.passed():
            print(summary.verdict(), flush=True)
    _write_page(summary, page)
    return 0 if summary.passed() else 1


def _write_page(summary: RunSummary, path: Path | None) -> None:
    if path is None:
        print("No HTML summary (give --summary-html FILE, or --html FILE to get one beside it)", flush=True)
        return
    try:
        write_summary(summary, path)
    except Exception:  # the verdict is printed and the exit code set either way: say why, keep going
        log.exception("the HTML summary could not be written to %s", path)
        return
    print(f"Summary: {path.resolve()}", flush=True)


def _links(options: Any, page: Path) -> dict[str, str]:
    """Locust's own report and CSV of the run, relative to the page (the folder can be moved)."""
    csv_prefix = getattr(options, "csv_prefix", None)
    targets = {
        "Locust's report": getattr(options, "html_file", None),
        "statistics CSV": f"{csv_prefix}_stats.csv" if csv_prefix else None,
    }
    return {
        label: os.path.relpath(Path(target).resolve(), page.resolve().parent)
        for label, target in targets.items()
        if target
    }


def _settings(environment: Any) -> dict[str, str]:
    shape = environment.shape_class
    if shape is not None and hasattr(shape, "step_seconds"):
        return {
            "ramp": f"{shape.start} users, +{shape.step} per stair up to {shape.max_users}, "
            f"{shape.step_seconds:.0f} s per stair after a {shape.warmup_seconds:.0f} s warm-up",
        }
    options = environment.parsed_options
    settings = {"users": str(options.num_users), "spawn rate": f"{options.spawn_rate}/s"}
    if options.run_time:
        settings["run time"] = f"{options.run_time} s"
    if getattr(options, "reset_stats", False):
        settings["figures"] = "the steady state: restarted once every user was spawned (--reset-stats)"
    return settings


def _failures(stats: Any) -> list[FailureLine]:
    lines = [
        FailureLine(f"{error.method} {error.name}", str(error.error), error.occurrences)
        for error in stats.errors.values()
    ]
    return sorted(lines, key=lambda f: -f.occurrences)
