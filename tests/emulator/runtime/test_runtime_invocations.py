"""Invocations that succeed: payloads, warm reuse, cold start, context, request ids."""

from __future__ import annotations

import re
from types import MappingProxyType

import pytest

from emulator.lambda_runtime import UnknownFunctionError

from .conftest import function


def test_echo_returns_the_event_decoded(start_runtime):
    runtime = start_runtime(function("Echo", "echo.handler"))
    event = {"path": "/x", "body": "é ✓", "n": [1, 2.5, None, True]}

    result = runtime.invoke("Echo", event)

    assert result.error is None
    assert result.payload == event


def test_worker_stays_warm_between_invocations(start_runtime):
    runtime = start_runtime(function("Counter", "counter.handler"))

    results = [runtime.invoke("Counter", {}) for _ in range(3)]

    assert [r.payload["count"] for r in results] == [1, 2, 3]
    assert len({r.payload["pid"] for r in results}) == 1


def test_init_duration_only_on_the_cold_start(start_runtime):
    runtime = start_runtime(function("Echo", "echo.handler"))

    cold = runtime.invoke("Echo", {})
    warm = runtime.invoke("Echo", {})

    assert cold.init_duration_ms is not None
    assert cold.init_duration_ms > 0
    assert warm.init_duration_ms is None
    assert warm.duration_ms >= 0


def test_each_function_has_its_own_workers_and_globals(start_runtime):
    runtime = start_runtime(function("A", "counter.handler"), function("B", "counter.handler"))

    a1, a2, b1 = runtime.invoke("A", {}), runtime.invoke("A", {}), runtime.invoke("B", {})

    assert (a1.payload["count"], a2.payload["count"], b1.payload["count"]) == (1, 2, 1)
    assert a1.payload["pid"] != b1.payload["pid"]


def test_context_is_a_real_lambda_context(start_runtime):
    runtime = start_runtime(
        function(
            "Ctx",
            "introspect.context_fields",
            timeout_s=3,
            memory_mb=256,
            region="eu-west-1",
            account_id="111122223333",
        )
    )

    result = runtime.invoke("Ctx", {}, request_id="req-123")
    ctx = result.payload

    assert result.request_id == "req-123"
    assert ctx["aws_request_id"] == "req-123"
    assert ctx["function_name"] == "Ctx"
    assert ctx["function_version"] == "$LATEST"
    assert ctx["invoked_function_arn"] == "arn:aws:lambda:eu-west-1:111122223333:function:Ctx"
    assert ctx["memory_limit_in_mb"] == "256"  # a string, as in Lambda's Python runtime
    assert ctx["log_group_name"] == "/aws/lambda/Ctx"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", ctx["log_stream_name"])
    assert ctx["identity"] == [None, None]  # an object with None ids, as in the Python runtime
    assert ctx["client_context"] is None
    assert 0 < ctx["remaining_ms"] <= 3000
    assert ctx["trace_id"].startswith("Root=1-")


def test_request_ids_are_fresh_uuids_unless_given(start_runtime):
    runtime = start_runtime(function("Ctx", "introspect.context_fields"))

    first, second = runtime.invoke("Ctx", {}), runtime.invoke("Ctx", {})

    assert first.request_id != second.request_id
    assert first.payload["aws_request_id"] == first.request_id
    assert len(first.request_id) == 36


def test_decimal_is_encoded_as_a_number_like_the_python_runtime(start_runtime):
    runtime = start_runtime(function("M", "misbehaving.handler"))

    result = runtime.invoke("M", {"do": "decimal"})

    assert result.error is None
    assert result.payload == {"price": 12.5, "count": 3}


def test_any_mapping_is_a_valid_event(start_runtime):
    runtime = start_runtime(function("Echo", "echo.handler"))

    result = runtime.invoke("Echo", MappingProxyType({"nested": MappingProxyType({"a": 1})}))

    assert result.payload == {"nested": {"a": 1}}


def test_invocations_in_flight_at_once_each_get_their_answer(start_runtime, submit):
    runtime = start_runtime(function("Echo", "echo.handler"))

    futures = [submit(runtime, "Echo", {"i": i}) for i in range(5)]

    assert [f.result(timeout=30).payload for f in futures] == [{"i": i} for i in range(5)]


def test_unknown_function_is_an_error(start_runtime):
    runtime = start_runtime(function("Echo", "echo.handler"))

    with pytest.raises(UnknownFunctionError, match="Nope"):
        runtime.invoke("Nope", {})
