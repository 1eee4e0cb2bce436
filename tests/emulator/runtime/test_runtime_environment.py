"""The worker's environment: the function's own variables plus Lambda's reserved ones, nothing else."""

from __future__ import annotations

import os

from .conftest import HANDLERS, function


def test_each_function_sees_only_its_own_variables(start_runtime):
    runtime = start_runtime(
        function("A", "introspect.environment", environment={"TABLE": "a-table", "ONLY_A": "1"}),
        function("B", "introspect.environment", environment={"TABLE": "b-table"}),
    )

    env_a = runtime.invoke("A", {}).payload
    env_b = runtime.invoke("B", {}).payload

    assert env_a["TABLE"] == "a-table"
    assert env_a["ONLY_A"] == "1"
    assert env_b["TABLE"] == "b-table"
    assert "ONLY_A" not in env_b


def test_reserved_lambda_variables(start_runtime):
    runtime = start_runtime(
        function(
            "Fn",
            "introspect.environment",
            runtime="python3.12",
            memory_mb=512,
            region="eu-central-1",
        )
    )

    env = runtime.invoke("Fn", {}).payload

    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "Fn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/Fn"
    assert "[$LATEST]" in env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["LAMBDA_TASK_ROOT"] == str(HANDLERS)
    assert env["_HANDLER"] == "introspect.environment"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-central-1"
    assert env["TZ"] == ":UTC"
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert env["PATH"] == os.environ["PATH"]
    assert "LANG" in env


def test_trace_id_changes_per_invocation(start_runtime):
    runtime = start_runtime(function("Fn", "introspect.environment"))

    first = runtime.invoke("Fn", {}).payload["_X_AMZN_TRACE_ID"]
    second = runtime.invoke("Fn", {}).payload["_X_AMZN_TRACE_ID"]

    assert first != second


def test_the_emulator_environment_does_not_leak(start_runtime, monkeypatch):
    monkeypatch.setenv("EMULATOR_ONLY_SECRET", "do-not-leak")
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/.venv")
    runtime = start_runtime(function("Fn", "introspect.environment", environment={"MINE": "yes"}))

    env = runtime.invoke("Fn", {}).payload

    assert "EMULATOR_ONLY_SECRET" not in env
    assert "VIRTUAL_ENV" not in env
    assert env["MINE"] == "yes"


def test_template_cannot_override_reserved_variables(start_runtime):
    runtime = start_runtime(
        function(
            "Fn",
            "introspect.environment",
            environment={"AWS_LAMBDA_FUNCTION_NAME": "spoofed", "TZ": "Europe/Paris", "LANG": "fr_FR.UTF-8"},
        )
    )

    env = runtime.invoke("Fn", {}).payload

    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "Fn"
    # TZ and LANG are ordinary variables a function may set, as on Lambda.
    assert env["TZ"] == "Europe/Paris"
    assert env["LANG"] == "fr_FR.UTF-8"


def test_installed_packages_import_in_the_worker(start_runtime, tmp_path):
    (tmp_path / "uses_boto.py").write_text(
        "import boto3\n\ndef handler(event, context):\n    return boto3.__name__\n"
    )
    runtime = start_runtime(function("Fn", "uses_boto.handler", code_dir=tmp_path))

    result = runtime.invoke("Fn", {})

    assert result.error is None
    assert result.payload == "boto3"


def test_the_trace_id_is_visible_everywhere_and_rewritten_in_place(start_runtime):
    """Lambda sets _X_AMZN_TRACE_ID per invocation. Setting it with setenv() leaked every old
    value (glibc never frees them: +11 MB over 80,000 calls, see `make bench`); the worker now
    rewrites one C string in place, so its address stays put while the value changes."""
    runtime = start_runtime(function("Fn", "trace_id.handler"))

    seen = [runtime.invoke("Fn", {"child": n == 0}).payload for n in range(20)]

    first = seen[0]
    assert first["os_environ"].startswith("Root=1-")
    assert first["os_environ"] == first["os_getenv"] == first["c_getenv"] == first["child_process"]
    assert len({s["os_environ"] for s in seen}) == 20  # a new id per invocation
    assert all(s["os_environ"] == s["c_getenv"] for s in seen)
    assert len({s["c_address"] for s in seen}) == 1  # one string, rewritten: nothing allocated per call


def test_a_handler_that_sets_the_trace_id_itself_gets_a_fresh_one_next_time(start_runtime):
    runtime = start_runtime(function("Fn", "trace_id.handler"))
    runtime.invoke("Fn", {"set": "Root=set-by-the-handler"})  # its setenv() replaces the runtime's string

    after = runtime.invoke("Fn", {}).payload

    assert after["os_environ"].startswith("Root=1-")
    assert after["c_getenv"] == after["os_environ"]
