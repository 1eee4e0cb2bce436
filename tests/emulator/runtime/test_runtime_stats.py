"""Per-function counters (count_invocations=True, the dashboard's functions page): every outcome
counted as CloudWatch's Invocations, Errors and Throttles metrics count it, durations kept for
p50/p99. Real worker processes; the counters are read after the caller got its answer."""

from __future__ import annotations

import asyncio

from emulator.lambda_runtime.api import InvocationResult
from emulator.lambda_runtime.limits import MAX_REQUEST_BYTES
from emulator.lambda_runtime.stats import FunctionStats, percentile
from tests.waiting import until

from .conftest import function


def test_each_outcome_is_counted_by_kind(start_runtime):
    runtime = start_runtime(
        function("M", "misbehaving.handler", timeout_s=1.0),
        function("Broken", "broken_import.handler"),
        function("Closed", "echo.handler", reserved_concurrency=0),
        throttle_wait_s=0,
        count_invocations=True,
    )
    for event in ({}, {}, {"do": "raise"}, {"do": "os_exit"}, {"do": "sleep"}, {"do": "not_json"}):
        runtime.invoke("M", event)
    runtime.invoke("M", {"big": "x" * (MAX_REQUEST_BYTES + 1)})  # refused before it runs
    runtime.invoke("Broken", {})
    runtime.invoke("Closed", {})

    stats = runtime.stats("M")
    assert stats is not None
    assert (stats["invocations"], stats["errors"], stats["timeouts"], stats["throttles"]) == (6, 4, 1, 0)
    assert stats["errorsByKind"] == {
        "Unhandled": 1,
        "Crashed": 1,
        "TimedOut": 1,
        "MarshalError": 1,
        "RequestTooLarge": 1,
    }
    durations = stats["durationMs"]
    assert durations["samples"] == 6
    assert durations["p99"] >= 1000  # the timed-out one ran for its whole Timeout
    assert durations["p50"] < durations["p99"]
    broken = runtime.stats("Broken")
    assert (broken["invocations"], broken["errors"], broken["errorsByKind"]) == (1, 1, {"InitError": 1})
    assert broken["durationMs"] == {"p50": None, "p99": None, "samples": 0}  # no handler ran
    closed = runtime.stats("Closed")
    assert (closed["invocations"], closed["errors"], closed["throttles"]) == (0, 0, 1)


def test_an_invocation_that_outlives_its_caller_is_counted_when_it_ends(start_runtime):
    runtime = start_runtime(function("M", "misbehaving.handler", timeout_s=1.0), count_invocations=True)
    left = asyncio.run(runtime.call_async("M", {"do": "sleep"}, wait_s=0.05))  # API Gateway gave up
    assert not left.done()
    assert runtime.stats("M")["invocations"] == 0
    assert left.result(timeout=30).error.kind == "TimedOut"
    until(lambda: runtime.stats("M")["timeouts"] == 1, timeout_s=10)  # the callback runs after
    assert runtime.stats("M")["invocations"] == 1


def test_workers_say_how_many_are_warm_and_busy(start_runtime):
    runtime = start_runtime(function("E", "echo.handler"), max_workers=3, count_invocations=True)
    assert runtime.workers("E") == {"warm": 0, "busy": 0, "starting": 0, "limit": 3}
    runtime.invoke("E", {})
    assert runtime.workers("E") == {"warm": 1, "busy": 0, "starting": 0, "limit": 3}


def test_nothing_is_counted_unless_asked(start_runtime):
    runtime = start_runtime(function("E", "echo.handler"))
    runtime.invoke("E", {})
    assert runtime.stats("E") is None


def test_the_recent_durations_are_bounded_and_percentiles_are_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([float(n) for n in range(1, 101)], 99) == 99.0
    stats = FunctionStats(recent=3)
    for duration in (100.0, 1.0, 2.0, 3.0, 4.0):  # the 100 ms one is no longer among the recent
        stats.record(InvocationResult("id", {}, None, duration))
    snapshot = stats.snapshot()
    assert snapshot["invocations"] == 5
    assert snapshot["durationMs"] == {"p50": 3.0, "p99": 4.0, "samples": 3}
