"""call(): the caller's thread reads the answer itself, and hands over when it stops waiting."""

from __future__ import annotations

from .conftest import function


def _warm_gated(runtime, gate) -> int:
    warm = runtime.submit("Gated", {"gate": gate.path})
    pid = gate.wait_for_handler()
    gate.release_one()
    assert warm.result(timeout=30).payload["pid"] == pid
    return pid


def test_call_on_a_warm_worker_returns_a_done_future(start_runtime, log):
    runtime = start_runtime(function("Counter", "counter.handler"))
    runtime.invoke("Counter", {})  # cold start

    future = runtime.call("Counter", {})

    assert future.done()
    assert future.result().payload["count"] == 2
    assert log.getvalue().count("START RequestId") == 2
    assert log.getvalue().count("REPORT RequestId") == 2


def test_a_caller_that_stops_waiting_hands_the_invocation_to_the_worker_thread(start_runtime, gate):
    runtime = start_runtime(function("Gated", "gated.handler", timeout_s=30))
    pid = _warm_gated(runtime, gate)

    future = runtime.call("Gated", {"gate": gate.path}, wait_s=0.05)  # the handler waits for the gate

    assert not future.done()
    assert gate.wait_for_handler() == pid
    gate.release_one()
    assert future.result(timeout=30).payload == {"pid": pid, "released": "x"}
    # The worker was freed by its own thread and is reused, warm, by the next caller.
    _warm_gated(runtime, gate)
    assert runtime.worker_pids("Gated") == [pid]


def test_the_function_timeout_is_enforced_after_the_caller_stopped_waiting(start_runtime, log):
    runtime = start_runtime(function("M", "misbehaving.handler", timeout_s=0.5))
    first = runtime.invoke("M", {})
    pid = first.payload["pid"]

    future = runtime.call("M", {"do": "sleep"}, wait_s=0.01)

    assert not future.done()
    result = future.result(timeout=30)
    assert result.error is not None
    assert result.error.kind == "TimedOut"
    assert "Task timed out after 0.50 seconds" in log.getvalue()
    assert runtime.invoke("M", {}).payload["pid"] != pid  # the timed out environment was replaced


def test_the_function_timeout_is_enforced_on_the_caller_thread(start_runtime):
    runtime = start_runtime(function("M", "misbehaving.handler", timeout_s=0.5))
    runtime.invoke("M", {})

    future = runtime.call("M", {"do": "sleep"})

    assert future.done()
    assert future.result().error.kind == "TimedOut"
