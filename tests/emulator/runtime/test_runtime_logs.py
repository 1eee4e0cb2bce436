"""The log stream: START / handler output / END / REPORT, as CloudWatch shows it."""

from __future__ import annotations

import json
import re

from .conftest import function

REPORT = re.compile(
    r"REPORT RequestId: (?P<id>[\w-]+)\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
    r"Memory Size: 256 MB\tMax Memory Used: [1-9]\d* MB(?P<init>\tInit Duration: \d+\.\d\d ms)?$"
)


def lines_of(log) -> list[str]:
    return log.getvalue().splitlines()


def test_start_end_report_around_each_invocation(start_runtime, log):
    runtime = start_runtime(function("Echo", "echo.handler", memory_mb=256))

    cold = runtime.invoke("Echo", {})
    warm = runtime.invoke("Echo", {})

    lines = lines_of(log)
    assert lines[0] == f"START RequestId: {cold.request_id} Version: $LATEST"
    assert lines[1] == f"END RequestId: {cold.request_id}"
    cold_report = REPORT.fullmatch(lines[2])
    assert cold_report
    assert cold_report["id"] == cold.request_id
    assert cold_report["init"]  # Init Duration on the cold start only
    assert lines[3] == f"START RequestId: {warm.request_id} Version: $LATEST"
    assert lines[4] == f"END RequestId: {warm.request_id}"
    warm_report = REPORT.fullmatch(lines[5])
    assert warm_report
    assert warm_report["init"] is None
    assert len(lines) == 6


def test_handler_output_is_captured_between_start_and_end(start_runtime, log):
    runtime = start_runtime(function("Chatty", "chatty.handler"))

    result = runtime.invoke("Chatty", {})

    assert result.payload == "done"
    lines = lines_of(log)
    start = lines.index(f"START RequestId: {result.request_id} Version: $LATEST")
    end = lines.index(f"END RequestId: {result.request_id}")
    assert "printed at import" in lines[:start]  # INIT output comes before START, as on Lambda
    inside = lines[start + 1 : end]
    assert inside[0] == "hello from print"
    assert "to stderr" in inside
    assert re.fullmatch(
        rf"\[INFO\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{result.request_id}\tvia logging",
        next(line for line in inside if "via logging" in line),
    )
    assert inside[-1] == "no newline at the end"  # a partial line ends where the invocation ends


def test_unhandled_exception_is_logged_like_the_python_runtime(start_runtime, log):
    runtime = start_runtime(function("M", "misbehaving.handler"))

    result = runtime.invoke("M", {"do": "raise"})

    lines = lines_of(log)
    start = lines.index(f"START RequestId: {result.request_id} Version: $LATEST")
    assert lines[start + 1] == "[ERROR] ValueError: something broke"
    assert lines[start + 2] == "Traceback (most recent call last):"
    assert 'misbehaving.py", line' in lines[start + 3]
    assert lines.index(f"END RequestId: {result.request_id}") > start + 3


def test_powertools_logger_sees_the_lambda_context(start_runtime, log):
    runtime = start_runtime(function("Tools", "powertools_logging.handler", memory_mb=256))

    result = runtime.invoke("Tools", {})

    assert result.error is None
    entries = [json.loads(line) for line in lines_of(log) if line.startswith("{")]
    entry = next(e for e in entries if e.get("message") == "handled")
    assert entry["function_request_id"] == result.request_id
    assert entry["function_name"] == "Tools"
    assert entry["function_memory_size"] == "256"  # context.memory_limit_in_mb is a str on Lambda
    assert entry["cold_start"] is True
    assert entry["answer"] == 42


def test_application_log_level_comes_from_aws_lambda_log_level(start_runtime, log):
    runtime = start_runtime(
        function("Default", "quiet.handler"),
        function("Debug", "quiet.handler", environment={"AWS_LAMBDA_LOG_LEVEL": "DEBUG"}),
    )

    runtime.invoke("Default", {})
    default_output = log.getvalue()
    runtime.invoke("Debug", {})
    debug_output = log.getvalue()[len(default_output) :]

    assert "a warning line" in default_output  # the root logger's default level: WARNING
    assert "a debug line" not in default_output
    assert "[DEBUG]" in debug_output
    assert "a debug line" in debug_output


def test_outgrowing_memory_size_is_flagged_once_per_worker(start_runtime, log):
    runtime = start_runtime(function("Small", "echo.handler", memory_mb=1))

    first = runtime.invoke("Small", {})
    runtime.invoke("Small", {})

    assert first.error is None  # a warning, not a kill: memory use differs between machines
    warnings = [line for line in lines_of(log) if line.startswith("WARNING (emulator): Small used")]
    assert len(warnings) == 1
    assert "over its MemorySize of 1 MB" in warnings[0]
    assert "Runtime.OutOfMemory" in warnings[0]


def test_max_memory_used_is_the_workers_own_not_its_big_parents(start_runtime, log):
    # ru_maxrss survives execve on Linux: a worker started by a 300 MB parent must still report
    # its own few tens of MB, and no OutOfMemory warning.
    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touch every page: resident in the parent
    runtime = start_runtime(function("Echo", "echo.handler", memory_mb=256))
    runtime.invoke("Echo", {})
    del ballast

    report = next(line for line in lines_of(log) if line.startswith("REPORT"))
    used = int(re.search(r"Max Memory Used: (\d+) MB", report).group(1))
    assert used < 200, report
    assert "OutOfMemory" not in log.getvalue()
