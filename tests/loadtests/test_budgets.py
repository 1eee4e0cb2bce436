"""The budgets file and the verdicts of loadtests/budgets.py (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadtests.budgets import (
    DEFAULT_BUDGETS_FILE,
    BudgetFileError,
    Budgets,
    EndpointFigures,
    broken_budgets,
    load_budgets,
    summary_table,
)


def figures(endpoint: str, times_ms: list[int], failures: int = 0) -> EndpointFigures:
    histogram: dict[int, int] = {}
    for ms in times_ms:
        histogram[ms] = histogram.get(ms, 0) + 1
    return EndpointFigures.from_counts(endpoint, histogram, len(times_ms), failures, seconds=10.0)


def test_the_shipped_budgets_file_loads() -> None:
    budgets = load_budgets(DEFAULT_BUDGETS_FILE)
    assert budgets.max_fail_ratio == 0.0
    assert budgets.p95_limit("GET /auth/validate") is not None
    assert budgets.p95_limit("GET /some/new/endpoint") == budgets.default_p95_ms


def test_percentiles_and_rate_from_a_histogram() -> None:
    f = figures("GET /auth/validate", [10] * 90 + [100] * 9 + [900])
    # Locust's own percentile (calculate_response_time_percentile): p99 of 100 samples is the top one.
    assert (f.p50_ms, f.p95_ms, f.p99_ms) == (10, 100, 900)
    assert f.rps == 10.0


def test_within_budgets_is_an_empty_list() -> None:
    budgets = Budgets(p95_ms={"GET /auth/validate": 200})
    assert broken_budgets([figures("GET /auth/validate", [10, 20, 150])], budgets) == []


def test_one_failure_breaks_a_zero_fail_ratio() -> None:
    broken = broken_budgets([figures("POST /auth/login", [10, 20], failures=1)], Budgets())
    assert len(broken) == 1
    assert broken[0].startswith("fail ratio 50.00%")


def test_a_slow_endpoint_breaks_its_p95_and_only_its_own() -> None:
    budgets = Budgets(p95_ms={"GET /users/me": 50}, default_p95_ms=1000)
    broken = broken_budgets(
        [figures("GET /users/me", [10] * 10 + [80] * 10), figures("POST /auth/login", [900] * 5)], budgets
    )
    assert broken == ["GET /users/me: p95 80 ms > 50 ms"]


def test_summary_marks_the_broken_budget() -> None:
    table = summary_table([figures("GET /users/me", [80] * 4)], Budgets(p95_ms={"GET /users/me": 50}))
    assert "50 !" in table
    assert "GET /users/me" in table


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_fail_ratio = [", "not valid TOML"),
        ('[p95_ms]\n"GET /x" = "fast"\n', "must map"),
        ("max_fail_ratio = 2\n", "between 0 and 1"),
    ],
)
def test_a_bad_budgets_file_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "budgets.toml"
    path.write_text(text)
    with pytest.raises(BudgetFileError, match=message) as info:
        load_budgets(path)
    assert str(path) in str(info.value)


def test_a_missing_budgets_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(BudgetFileError, match="cannot read"):
        load_budgets(tmp_path / "nope.toml")
