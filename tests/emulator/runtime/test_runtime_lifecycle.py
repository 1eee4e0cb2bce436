"""close(): every worker killed and reaped, nothing left waiting."""

from __future__ import annotations

import os

import psutil
import pytest

from emulator.lambda_runtime import ProcessLambdaRuntime

from .conftest import function


def assert_gone(pids: list[int]) -> None:
    for pid in pids:
        # Reaped by us (not a zombie child) and not running.
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() != psutil.STATUS_ZOMBIE


def test_close_leaves_no_process_behind(log, gate, submit):
    runtime = ProcessLambdaRuntime(
        [
            function("Echo", "echo.handler"),
            function("Counter", "counter.handler"),
            function("Gated", "gated.handler", timeout_s=30),
            function("M", "misbehaving.handler"),
        ],
        hot_reload=True,
    )
    runtime.invoke("Echo", {})
    runtime.invoke("Counter", {})
    runtime.invoke("M", {"do": "segfault"})  # a crashed worker must be reaped too
    busy = submit(runtime, "Gated", {"gate": gate.path})
    gate.wait_for_handler()
    pids = runtime.worker_pids()
    assert len(pids) == 3

    runtime.close()

    assert_gone(pids)
    assert runtime.worker_pids() == []
    # The invocation cut short by close() is answered, not left hanging.
    assert busy.result(timeout=10).error.kind == "Crashed"
    children = {child.pid for child in psutil.Process().children(recursive=True)}
    assert children.isdisjoint(pids)


def test_context_manager_closes(log):
    with ProcessLambdaRuntime([function("Echo", "echo.handler")]) as runtime:
        runtime.invoke("Echo", {})
        pids = runtime.worker_pids()

    assert_gone(pids)
    with pytest.raises(RuntimeError, match="closed"):
        runtime.invoke("Echo", {})


def test_close_twice_is_harmless(log):
    runtime = ProcessLambdaRuntime([function("Echo", "echo.handler")], hot_reload=False)
    runtime.invoke("Echo", {})
    runtime.close()
    runtime.close()
    assert runtime.worker_pids() == []


def test_timed_out_and_crashed_workers_are_reaped_while_running(start_runtime):
    runtime = start_runtime(function("M", "misbehaving.handler", timeout_s=0.2))
    pids = [runtime.invoke("M", {}).payload["pid"]]
    runtime.invoke("M", {"do": "sleep"})
    pids.append(runtime.invoke("M", {}).payload["pid"])
    runtime.invoke("M", {"do": "os_exit"})

    assert_gone(pids)
