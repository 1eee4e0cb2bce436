"""call_async(): the gateway's path, a warm worker's answer awaited on an event loop (uvloop),
and the worker's own thread when the caller stops waiting or another loop has the pipes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import uvloop

from .conftest import function


@pytest.fixture(params=["uvloop", "asyncio"])
def run_on_a_loop(request: pytest.FixtureRequest) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a coroutine on uvloop (what serve uses) or asyncio's own loop (its fallback)."""
    return uvloop.run if request.param == "uvloop" else asyncio.run


def test_awaited_on_a_warm_worker_the_future_is_done(run_on_a_loop, start_runtime, log):
    runtime = start_runtime(function("M", "misbehaving.handler"))
    pid = runtime.invoke("M", {}).payload["pid"]

    async def calls() -> list[Any]:
        return [await runtime.call_async("M", {"n": n}) for n in range(20)]

    futures = run_on_a_loop(calls())

    assert all(future.done() for future in futures)
    assert [future.result().payload["echo"]["n"] for future in futures] == list(range(20))
    assert runtime.worker_pids("M") == [pid]  # one warm environment served them all
    assert log.getvalue().count("REPORT RequestId") == 21


def test_a_cold_start_is_awaited_too(run_on_a_loop, start_runtime):
    runtime = start_runtime(function("M", "misbehaving.handler"))

    future = run_on_a_loop(runtime.call_async("M", {"n": 1}))

    assert future.result().payload["echo"] == {"n": 1}
    assert future.result().init_duration_ms is not None


def test_output_larger_than_a_pipe_is_forwarded_while_the_handler_runs(run_on_a_loop, start_runtime, log):
    runtime = start_runtime(function("M", "misbehaving.handler"))
    runtime.invoke("M", {})

    future = run_on_a_loop(runtime.call_async("M", {"do": "print", "lines": 5000}))

    assert future.result().error is None
    text = log.getvalue()
    assert text.count("output line ") == 5000
    # ... all of it between the invocation's START and END
    request_id = future.result().request_id
    assert text.index(f"START RequestId: {request_id}") < text.index("output line 0 ")
    assert text.index("output line 4999 ") < text.index(f"END RequestId: {request_id}")


def test_a_caller_that_stops_waiting_leaves_the_invocation_to_the_worker_thread(
    run_on_a_loop, start_runtime, log
):
    runtime = start_runtime(function("M", "misbehaving.handler", timeout_s=0.5))
    pid = runtime.invoke("M", {}).payload["pid"]

    future = run_on_a_loop(runtime.call_async("M", {"do": "sleep"}, wait_s=0.01))

    assert not future.done()
    result = future.result(timeout=30)  # the worker's thread reads on, and times it out
    assert result.error is not None
    assert result.error.kind == "TimedOut"
    assert "Task timed out after 0.50 seconds" in log.getvalue()
    assert runtime.invoke("M", {}).payload["pid"] != pid


@pytest.mark.parametrize("action", ["sleep", "os_exit", "raise"])
def test_failures_awaited_on_the_loop_cost_only_their_worker(run_on_a_loop, start_runtime, action):
    runtime = start_runtime(function("M", "misbehaving.handler", timeout_s=0.5))
    runtime.invoke("M", {})

    async def fail_then_succeed() -> tuple[Any, Any]:
        failed = await runtime.call_async("M", {"do": action})
        return failed, await runtime.call_async("M", {"n": 2})

    failed, after = run_on_a_loop(fail_then_succeed())

    assert (
        failed.result().error.kind
        == {"sleep": "TimedOut", "os_exit": "Crashed", "raise": "Unhandled"}[action]
    )
    assert after.result().payload["echo"] == {"n": 2}


def test_a_caller_that_stops_waiting_hands_the_invocation_to_the_worker_thread(
    run_on_a_loop, start_runtime, gate, submit
):
    runtime = start_runtime(function("Gated", "gated.handler", timeout_s=30))
    warm = submit(runtime, "Gated", {"gate": gate.path})
    pid = gate.wait_for_handler()
    gate.release_one()
    assert warm.result(timeout=30).payload["pid"] == pid

    # The handler waits for the gate: the caller gives up after 0.05 s.
    future = run_on_a_loop(runtime.call_async("Gated", {"gate": gate.path}, wait_s=0.05))

    assert not future.done()
    assert gate.wait_for_handler() == pid
    gate.release_one()
    assert future.result(timeout=30).payload == {"pid": pid, "released": "x"}
    # The worker was freed by its own thread and is reused, warm, by the next caller.
    again = submit(runtime, "Gated", {"gate": gate.path})
    assert gate.wait_for_handler() == pid
    gate.release_one()
    assert again.result(timeout=30).payload["pid"] == pid
    assert runtime.worker_pids("Gated") == [pid]


def test_loops_take_turns_on_one_worker(run_on_a_loop, start_runtime, submit):
    runtime = start_runtime(function("M", "misbehaving.handler"))
    pid = runtime.invoke("M", {}).payload["pid"]

    async def on_the_loop(n: int) -> Any:
        return (await runtime.call_async("M", {"n": n})).result().payload

    answers = []
    for n in range(10):
        # A new loop each time: the last one is closed, or the open one of `submit` has the
        # pipes, and then the worker's thread reads; `submit`'s loop then takes them back.
        answers.append(run_on_a_loop(on_the_loop(n))["echo"]["n"])
        answers.append(submit(runtime, "M", {"n": n}).result(timeout=30).payload["echo"]["n"])
    assert answers == [n for n in range(10) for _ in range(2)]
    assert runtime.worker_pids("M") == [pid]


def test_workers_run_as_batch_tasks(start_runtime):
    runtime = start_runtime(function("M", "misbehaving.handler"))
    pid = runtime.invoke("M", {}).payload["pid"]

    assert os.sched_getscheduler(pid) == os.SCHED_BATCH
