"""Every way a handler can fail costs at most its own worker; the next request succeeds."""

from __future__ import annotations

import os
import select

import pytest

from .conftest import function


@pytest.fixture
def runtime(start_runtime):
    return start_runtime(function("M", "misbehaving.handler", timeout_s=1.0))


def test_unhandled_exception_keeps_the_worker(runtime):
    before = runtime.invoke("M", {}).payload["pid"]

    failed = runtime.invoke("M", {"do": "raise"})
    after = runtime.invoke("M", {})

    assert failed.error.kind == "Unhandled"
    assert failed.error.error_type == "ValueError"
    assert failed.error.error_message == "something broke"
    assert any("raise ValueError" in frame for frame in failed.error.stack_trace)
    # The Python runtime survives an exception: same warm environment afterwards.
    assert after.error is None
    assert after.payload["pid"] == before


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("exit", "Runtime exited with error: exit status 3"),
        ("os_exit", "Runtime exited with error: exit status 7"),
        ("segfault", "Runtime exited with error: signal: segmentation fault"),
        ("abort", "Runtime exited with error: signal: aborted"),
    ],
)
def test_a_dying_worker_is_replaced(runtime, log, action, reason):
    before = runtime.invoke("M", {}).payload["pid"]

    crashed = runtime.invoke("M", {"do": action})
    after = runtime.invoke("M", {})

    assert crashed.error.kind == "Crashed"
    assert crashed.error.error_type == "Runtime.ExitError"
    assert crashed.error.error_message == f"RequestId: {crashed.request_id} Error: {reason}"
    assert after.error is None
    assert after.payload["pid"] != before
    assert after.init_duration_ms is not None  # a new cold start
    assert f"END RequestId: {crashed.request_id}" in log.getvalue()
    assert "Status: error\tError Type: Runtime.ExitError" in log.getvalue()


def test_timeout_kills_and_replaces_the_worker(start_runtime, log):
    runtime = start_runtime(function("M", "misbehaving.handler", timeout_s=0.3))
    before = runtime.invoke("M", {}).payload["pid"]

    timed_out = runtime.invoke("M", {"do": "sleep"})
    after = runtime.invoke("M", {})

    assert timed_out.error.kind == "TimedOut"
    assert timed_out.error.error_type == "Sandbox.Timedout"
    assert timed_out.error.error_message.endswith("Task timed out after 0.30 seconds")
    assert after.error is None
    assert after.payload["pid"] != before
    text = log.getvalue()
    assert "going to sleep" in text  # output before the kill is not lost
    assert f"{timed_out.request_id} Task timed out after 0.30 seconds" in text
    assert "Status: timeout" in text


def test_non_json_return_is_a_marshal_error(runtime):
    failed = runtime.invoke("M", {"do": "not_json"})
    after = runtime.invoke("M", {})

    assert failed.error.kind == "MarshalError"
    assert failed.error.error_type == "Runtime.MarshalError"
    assert failed.error.error_message.startswith("Unable to marshal response: Object of type set")
    assert after.error is None


def test_import_error_is_an_init_error_and_is_retried(start_runtime):
    runtime = start_runtime(function("Broken", "broken_import.handler"))

    first = runtime.invoke("Broken", {})
    second = runtime.invoke("Broken", {})

    for result in (first, second):
        assert result.error.kind == "InitError"
        assert result.error.error_type == "Runtime.ImportModuleError"
        assert result.error.error_message == (
            "Unable to import module 'broken_import': No module named 'a_module_that_does_not_exist'"
        )
        assert result.init_duration_ms is not None  # each request tried a fresh INIT
    assert runtime.worker_pids("Broken") == []


@pytest.mark.parametrize(
    ("handler", "source", "error_type", "message"),
    [
        ("app.missing", "x = 1\n", "Runtime.HandlerNotFound", "Handler 'missing' missing on module 'app'"),
        ("app.handler", "def handler(:\n", "Runtime.UserCodeSyntaxError", "Syntax error in module 'app'"),
        ("app.handler", "raise KeyError('CONFIG')\n", "KeyError", "'CONFIG'"),
        ("nodots", "x = 1\n", "Runtime.MalformedHandlerName", "Bad handler 'nodots'"),
    ],
)
def test_init_failures_use_the_python_runtime_error_types(
    start_runtime, tmp_path, handler, source, error_type, message
):
    (tmp_path / "app.py").write_text(source)
    runtime = start_runtime(function("Fn", handler, code_dir=tmp_path))

    result = runtime.invoke("Fn", {})

    assert result.error.kind == "InitError"
    assert result.error.error_type == error_type
    assert result.error.error_message.startswith(message)


def test_init_error_then_fixed_code_works(start_runtime, tmp_path):
    (tmp_path / "app.py").write_text("import not_there_yet\n\ndef handler(e, c):\n    return 1\n")
    runtime = start_runtime(function("Fn", "app.handler", code_dir=tmp_path))
    assert runtime.invoke("Fn", {}).error.kind == "InitError"

    (tmp_path / "app.py").write_text("def handler(e, c):\n    return 'fixed'\n")

    assert runtime.invoke("Fn", {}).payload == "fixed"


def test_missing_code_directory_fails_the_invocation_not_the_runtime(start_runtime, tmp_path):
    runtime = start_runtime(
        function("Gone", "app.handler", code_dir=tmp_path / "nope"), function("Echo", "echo.handler")
    )

    result = runtime.invoke("Gone", {})

    assert result.error.kind == "InitError"
    assert runtime.invoke("Echo", {"ok": 1}).payload == {"ok": 1}


def test_a_worker_that_dies_while_idle_is_not_handed_a_request(start_runtime, gate, submit):
    runtime = start_runtime(function("Bg", "misbehaving.exit_when_released"))
    first = runtime.invoke("Bg", {"gate": gate.path})
    gate.wait_for_handler()

    dead_pid = gate.release_one()  # its background thread now exits the idle process
    wait_for_exit(dead_pid)
    # Whether or not the runtime noticed yet, the request must not be lost on the dead worker.
    second = submit(runtime, "Bg", {"gate": gate.path})
    new_pid = gate.wait_for_handler()

    assert first.payload["pid"] == dead_pid
    assert new_pid != dead_pid
    assert second.result(timeout=30).payload["pid"] == new_pid


def wait_for_exit(pid: int) -> None:
    """Block until ``pid`` has exited, without reaping it (that is the runtime's job)."""
    pidfd = os.pidfd_open(pid)
    try:
        assert select.select([pidfd], [], [], 30)[0], f"process {pid} did not exit"
    finally:
        os.close(pidfd)
