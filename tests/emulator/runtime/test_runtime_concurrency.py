"""One invocation per worker; scale out to the concurrency limit; throttle beyond it."""

from __future__ import annotations

import asyncio

from emulator.lambda_runtime.traces import InvocationTrace

from .conftest import function


def test_concurrent_requests_get_their_own_workers_up_to_the_limit(start_runtime, gate, submit):
    runtime = start_runtime(
        function("Gated", "gated.handler", reserved_concurrency=2, timeout_s=30), throttle_wait_s=0.2
    )

    first = submit(runtime, "Gated", {"gate": gate.path})
    second = submit(runtime, "Gated", {"gate": gate.path})
    pids = {gate.wait_for_handler(), gate.wait_for_handler()}  # both running at once
    throttled = submit(runtime, "Gated", {"gate": gate.path}).result(timeout=30)

    assert len(pids) == 2
    assert not first.done()
    assert not second.done()
    assert throttled.error.kind == "Throttled"
    assert throttled.error.error_type == "TooManyRequestsException"
    assert "ReservedFunctionConcurrentInvocationLimitExceeded" in throttled.error.error_message

    gate.release_one()
    gate.release_one()
    results = [first.result(timeout=30), second.result(timeout=30)]
    assert {r.payload["pid"] for r in results} == pids


def test_a_waiting_request_gets_the_next_free_worker(start_runtime, gate, submit):
    runtime = start_runtime(function("Gated", "gated.handler", reserved_concurrency=1, timeout_s=30))

    first = submit(runtime, "Gated", {"gate": gate.path})
    busy_pid = gate.wait_for_handler()
    waiting = submit(runtime, "Gated", {"gate": gate.path})  # waits up to throttle_wait_s (1 s)
    gate.release_one()
    assert gate.wait_for_handler() == busy_pid  # the same warm worker took the waiting request
    gate.release_one()

    assert first.result(timeout=30).payload["pid"] == busy_pid
    assert waiting.result(timeout=30).payload["pid"] == busy_pid


def test_max_workers_is_the_default_limit(start_runtime, gate, submit):
    runtime = start_runtime(
        function("Gated", "gated.handler", timeout_s=30), max_workers=1, throttle_wait_s=0
    )

    running = submit(runtime, "Gated", {"gate": gate.path})
    gate.wait_for_handler()
    throttled = runtime.invoke("Gated", {"gate": gate.path})
    gate.release_one()

    assert throttled.error.kind == "Throttled"
    assert "ConcurrentInvocationLimitExceeded" in throttled.error.error_message
    assert running.result(timeout=30).error is None


def test_a_busy_function_does_not_block_another(start_runtime, gate, submit):
    runtime = start_runtime(
        function("Gated", "gated.handler", reserved_concurrency=1, timeout_s=30),
        function("Echo", "echo.handler"),
    )

    running = submit(runtime, "Gated", {"gate": gate.path})
    gate.wait_for_handler()

    assert runtime.invoke("Echo", {"x": 1}).payload == {"x": 1}
    gate.release_one()
    assert running.result(timeout=30).error is None


def test_the_caller_may_stop_waiting_while_the_function_runs_on(start_runtime, gate, submit):
    runtime = start_runtime(function("Gated", "gated.handler", timeout_s=30))

    future = submit(runtime, "Gated", {"gate": gate.path})
    gate.wait_for_handler()
    assert not future.done()  # e.g. API Gateway answered 504 after 29 s and moved on
    gate.release_one()

    assert future.result(timeout=30).payload["released"] == "x"


def test_many_concurrent_callers_all_get_answers(start_runtime, submit):
    runtime = start_runtime(function("Counter", "counter.handler"), max_workers=3, throttle_wait_s=30)

    futures = [submit(runtime, "Counter", {}) for _ in range(60)]
    results = [f.result(timeout=60) for f in futures]

    assert all(r.error is None for r in results)
    assert len({r.payload["pid"] for r in results}) <= 3
    # Every invocation ran exactly once: the per-worker counters add up to 60.
    assert sum(max(r.payload["count"] for r in results if r.payload["pid"] == pid)
               for pid in {r.payload["pid"] for r in results}) == 60  # fmt: skip


def test_the_max_workers_cap_queues_for_queue_wait_while_reserved_concurrency_throttles(
    start_runtime, gate, submit
):
    # Unreserved: --max-workers is the emulator's own cap (AWS would just scale), so a request over
    # it waits queue_wait_s for a worker; reserved concurrency is Lambda's throttle, after throttle_wait_s.
    runtime = start_runtime(
        function("Gated", "gated.handler", timeout_s=30),
        function("Reserved", "gated.handler", timeout_s=30, reserved_concurrency=1),
        max_workers=1,
        throttle_wait_s=0,
        queue_wait_s=30,
    )

    running = submit(runtime, "Gated", {"gate": gate.path})
    gate.wait_for_handler()
    queued = submit(runtime, "Gated", {"gate": gate.path})  # waits for the busy worker, not throttled
    gate.release_one()
    assert running.result(timeout=30).error is None
    gate.wait_for_handler()
    gate.release_one()
    assert queued.result(timeout=30).error is None

    held = submit(runtime, "Reserved", {"gate": gate.path})
    gate.wait_for_handler()
    throttled = runtime.invoke("Reserved", {"gate": gate.path})
    gate.release_one()
    assert throttled.error.kind == "Throttled"
    assert held.result(timeout=30).error is None


def test_a_throttled_invocation_has_its_outcome_on_its_trace(start_runtime, gate, submit):
    # The outcome is set where it is made, on every path: a throttled invocation never reaches a
    # worker, and its trace (the dashboard's) must not read as still running.
    runtime = start_runtime(
        function("Gated", "gated.handler", timeout_s=30), max_workers=1, throttle_wait_s=0
    )
    running = submit(runtime, "Gated", {"gate": gate.path})
    gate.wait_for_handler()
    trace = InvocationTrace()
    throttled = asyncio.run(runtime.call_async("Gated", {"gate": gate.path}, trace=trace)).result(timeout=0)
    gate.release_one()

    assert throttled.error is not None
    assert throttled.error.kind == "Throttled"
    assert trace.outcome is throttled
    assert (trace.error, trace.request_id) == (throttled.error, throttled.request_id)
    assert running.result(timeout=30).error is None
