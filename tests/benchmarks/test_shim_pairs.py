"""The shim bench's dashboard cost: back-to-back on/off pairs in mirrored order, a ratio per pair."""

from __future__ import annotations

from typing import Any

from benchmarks.shim import _budgets, _dashboard_ratios, _round_order

TARGETS = ["shim", "flask", "nodash"]


def test_each_round_runs_the_pair_twice_mirrored_then_the_others() -> None:
    assert _round_order(TARGETS, 0) == ["shim", "nodash", "nodash", "shim", "flask"]
    assert _round_order(TARGETS, 1) == ["nodash", "shim", "shim", "nodash", "flask"]


def test_the_isolated_pair_runs_mirrored_after_the_first_one() -> None:
    names = [*TARGETS, "shim_iso", "nodash_iso"]
    assert _round_order(names, 0) == [
        *("shim", "nodash", "nodash", "shim"),
        *("shim_iso", "nodash_iso", "nodash_iso", "shim_iso"),
        "flask",
    ]
    assert _round_order(names, 1)[4:8] == ["nodash_iso", "shim_iso", "shim_iso", "nodash_iso"]


def _runs(*rps: float) -> list[dict[str, Any]]:
    return [{"rps": value} for value in rps]


def test_the_ratios_pair_run_k_of_each_side_and_give_median_and_spread() -> None:
    # Round 0 ran on off off on: pairs (on #0, off #0) and (on #1, off #1); the load changed
    # between them (the second pair is slower on both sides), which the pairing cancels.
    runs = {
        "shim_1": _runs(1000.0, 500.0, 900.0),
        "nodash_1": _runs(1000.0, 400.0, 1000.0),
        "shim_8": _runs(1.0, 1.0, 1.0),
        "nodash_8": _runs(1.0, 1.0, 1.0),
    }
    cpu = {"shim_1": [110.0, 220.0, 100.0], "nodash_1": [100.0, 200.0, 100.0], "shim_8": [1.0] * 3}
    cpu["nodash_8"] = [1.0] * 3
    ratios = _dashboard_ratios(runs, cpu)
    assert ratios["cpu_1"] == {"median": 1.1, "min": 1.0, "max": 1.1, "pairs": [1.1, 1.1, 1.0]}
    assert ratios["rps_1"] == {"median": 1.0, "min": 0.9, "max": 1.25, "pairs": [1.0, 1.25, 0.9]}
    assert ratios["cpu_8"]["median"] == 1.0


def test_the_isolated_pair_has_ratios_of_its_own_at_1_connection() -> None:
    runs = {name: _runs(1.0, 1.0) for name in ("shim_1", "nodash_1", "shim_8", "nodash_8")}
    runs["shim_iso_1"], runs["nodash_iso_1"] = _runs(990.0, 1010.0), _runs(1000.0, 1000.0)
    cpu = {name: [1.0, 1.0] for name in runs}
    cpu["shim_iso_1"] = [104.0, 102.0]
    cpu["nodash_iso_1"] = [100.0, 100.0]
    ratios = _dashboard_ratios(runs, cpu)
    assert set(ratios) == {"cpu_1", "rps_1", "cpu_8", "rps_8", "cpu_1_isolated", "rps_1_isolated"}
    assert ratios["rps_1_isolated"]["pairs"] == [0.99, 1.01]
    assert ratios["cpu_1_isolated"]["median"] == 1.03


def _ratio(median: float) -> dict[str, Any]:
    return {"median": median, "min": median, "max": median, "pairs": [median]}


def test_the_budget_at_1_connection_is_the_isolated_pairs_when_there_is_one() -> None:
    run = {"p50_ms": 0.3, "p99_ms": 1.0, "rps": 3000.0, "errors": 0}
    figures: dict[str, Any] = {"ready_s": 0.5, "shim_1": run, "shim_8": run, "flask_1": run, "flask_8": run}
    figures["dashboard"] = {"cpu_1": _ratio(1.12), "rps_1": _ratio(0.93), "cpu_8": _ratio(1.04)}
    figures["dashboard"] |= {
        "rps_8": _ratio(0.99),
        "cpu_1_isolated": _ratio(1.04),
        "rps_1_isolated": _ratio(1.0),
    }
    judged = {budget["name"]: budget for budget in _budgets(figures) if "dashboard" in budget["name"]}
    assert judged["req/s dashboard on/--no-dashboard at 1, isolated (median of pairs)"]["ok"]
    assert judged["CPU/request dashboard on/--no-dashboard at 1, isolated (median of pairs)"]["value"] == 1.04
    assert judged["req/s dashboard on/--no-dashboard at 8 (median of pairs)"]["value"] == 0.99
    assert len(judged) == 4  # the shared pair at 1 connection is printed, not judged

    del figures["dashboard"]["cpu_1_isolated"], figures["dashboard"]["rps_1_isolated"]
    judged = {budget["name"]: budget for budget in _budgets(figures) if "dashboard" in budget["name"]}
    assert not judged["req/s dashboard on/--no-dashboard at 1 (median of pairs)"]["ok"]  # no isolated pair
