"""``python -m benchmarks [SUITE ...]``: run the benchmark suites, print figures, save JSON, check budgets."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SUITES: tuple[str, ...] = (
    "startup",
    "runtime",
    "function_stats",
    "shim",
    "recording",
    "plugin",
    "dynamodb",
    "backend",
    "package",
)
RESULTS_DIR = Path(".bench")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("suites", nargs="*", default=list(SUITES), help=f"default: {' '.join(SUITES)}")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": _cpu_count(),
            "platform": platform.platform(),
        },
        "suites": {},
    }
    budgets: list[dict[str, Any]] = []
    for index, name in enumerate(args.suites, start=1):
        print(f"\n[{index}/{len(args.suites)}] {name}", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        figures = module.run()
        figures["elapsed_s"] = round(time.perf_counter() - started, 2)
        results["suites"][name] = figures
        budgets.extend({"suite": name, **b} for b in figures.get("budgets", []))

    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"results-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    (RESULTS_DIR / "latest.json").write_text(out.read_text())

    print("\nBudgets")
    width = max((len(f"{b['suite']}: {b['name']}") for b in budgets), default=10)
    for b in budgets:
        label = f"{b['suite']}: {b['name']}"
        print(f"  {'PASS' if b['ok'] else 'FAIL'}  {label:<{width}}  {b['value']}  (budget {b['limit']})")
    failed = [b for b in budgets if not b["ok"]]
    print(f"\n{len(budgets) - len(failed)} budgets met, {len(failed)} missed. Figures saved to {out}")
    return 1 if failed else 0


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
