"""prewarm(): an execution environment started before the first request; Ctrl+C spares workers."""

from __future__ import annotations

import os
import signal

import pytest

from emulator.lambda_runtime import UnknownFunctionError

from .conftest import function


def test_prewarm_starts_the_environment_that_the_first_request_then_uses(start_runtime):
    runtime = start_runtime(function("Counter", "counter.handler"))
    runtime.prewarm("Counter")
    pids = runtime.worker_pids("Counter")
    assert len(pids) == 1

    first = runtime.invoke("Counter", {})
    assert first.error is None
    assert first.payload == {"count": 1, "pid": pids[0]}
    assert first.init_duration_ms is not None  # still the environment's first invocation: INIT reported
    second = runtime.invoke("Counter", {})
    assert second.payload == {"count": 2, "pid": pids[0]}
    assert second.init_duration_ms is None


def test_prewarm_does_nothing_when_the_function_has_an_environment(start_runtime):
    runtime = start_runtime(function("Counter", "counter.handler"))
    runtime.invoke("Counter", {})
    pids = runtime.worker_pids("Counter")
    runtime.prewarm("Counter")
    runtime.prewarm("Counter")
    assert runtime.worker_pids("Counter") == pids


def test_prewarm_of_a_function_whose_init_fails_reports_it_on_the_first_request(start_runtime):
    runtime = start_runtime(function("Broken", "broken_import.handler"))
    runtime.prewarm("Broken")
    result = runtime.invoke("Broken", {})
    assert result.error is not None
    assert result.error.kind == "InitError"


def test_prewarm_of_an_unknown_function_is_an_error(start_runtime):
    runtime = start_runtime(function("Counter", "counter.handler"))
    with pytest.raises(UnknownFunctionError):
        runtime.prewarm("Nope")


def test_ctrl_c_in_the_terminal_does_not_kill_a_worker(start_runtime, log):
    # A terminal's Ctrl+C sends SIGINT to every process of the foreground group, workers
    # included; the emulator stops them itself, so they must neither die nor print a traceback.
    runtime = start_runtime(function("Counter", "counter.handler"))
    first = runtime.invoke("Counter", {})
    os.kill(first.payload["pid"], signal.SIGINT)
    second = runtime.invoke("Counter", {})
    assert second.payload == {"count": 2, "pid": first.payload["pid"]}
    assert "KeyboardInterrupt" not in log.getvalue()
