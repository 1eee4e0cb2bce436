"""The shim bench's dashboard cost: back-to-back on/off pairs in mirrored order, a ratio per pair."""

from __future__ import annotations

from typing import Any

from benchmarks.shim import _dashboard_ratios, _round_order

TARGETS = ["shim", "flask", "nodash"]


def test_each_round_runs_the_pair_twice_mirrored_then_the_others() -> None:
    assert _round_order(TARGETS, 0) == ["shim", "nodash", "nodash", "shim", "flask"]
    assert _round_order(TARGETS, 1) == ["nodash", "shim", "shim", "nodash", "flask"]


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
