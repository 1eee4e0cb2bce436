"""The request history's ring buffer and the invocations' traces, as plain objects."""

from __future__ import annotations

import datetime
import threading
import tracemalloc
from collections.abc import Callable

import orjson
import pytest

from emulator.apigateway.connection import encode_response
from emulator.apigateway.proxy_response import GatewayResponse
from emulator.apigateway.request import GatewayRequest
from emulator.dashboard import sealed
from emulator.dashboard.history import AuthorizerTrace, RequestHistory, RequestRecord, note_failure
from emulator.lambda_runtime.api import InvocationError, InvocationResult
from emulator.lambda_runtime.invocation import encode_event
from emulator.lambda_runtime.traces import KEPT_BYTES, InvocationTrace

# Not tracemalloc's own, nor the ABC machinery's caches (isinstance() of a new type, once).
NOT_TRACEMALLOC = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen abc>")]


OK = GatewayResponse(200, [], b"")


def _record(request_id: str) -> RequestRecord:
    request = GatewayRequest("GET", f"/r/{request_id}", "", {}, b"", "127.0.0.1", "HTTP/1.1")
    return RequestRecord(request_id, request)


def test_the_history_keeps_the_newest_records_up_to_its_capacity() -> None:
    history = RequestHistory(3)
    for number in range(5):
        history.add(_record(f"id-{number}"), OK, 1.0)
    assert [record.request_id for record in history.newest_first()] == ["id-4", "id-3", "id-2"]
    assert history.get("id-1") is None
    assert history.get("id-2") is not None
    assert history.sequence == 5


def test_a_history_keeps_at_least_one_request() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RequestHistory(0)


def test_a_waiting_reader_gets_the_records_added_after_its_sequence() -> None:
    history = RequestHistory(10)
    history.add(_record("before"), OK, 1.0)
    seen = history.sequence
    added = threading.Thread(target=history.add, args=(_record("after"), OK, 1.0))
    added.start()
    sequence, records = history.wait_for_newer(seen, timeout_s=30)
    added.join()
    assert sequence == 2
    assert [record.request_id for record in records] == ["after"]


def test_a_reader_in_another_thread_waits_for_a_record_being_added() -> None:
    history = RequestHistory(3)
    waiting = threading.Event()
    found: list[RequestRecord | None] = []

    def reader() -> None:
        waiting.set()
        found.append(history.wait_for("late", timeout_s=30))

    thread = threading.Thread(target=reader)
    thread.start()
    waiting.wait(timeout=10)
    history.add(_record("early"), OK, 1.0)
    history.add(_record("late"), OK, 1.0)
    thread.join(timeout=30)
    assert [record.request_id if record else None for record in found] == ["late"]
    assert history.wait_for("never", timeout_s=0) is None


def test_a_reader_with_nothing_new_gets_nothing_once_the_history_closes() -> None:
    history = RequestHistory(10)
    history.add(_record("only"), OK, 1.0)
    history.close()
    assert history.wait_for_newer(history.sequence, timeout_s=30) == (1, [])


def sent(trace: InvocationTrace, request_id: str, event: bytes) -> None:
    """What the runtime sets when it sends the event."""
    trace.request_id, trace.event = request_id, event


def answered(trace: InvocationTrace, result: bytes, duration_ms: float, init_ms: float | None) -> None:
    """What the worker and ``resolve`` set when the answer comes."""
    assert trace.request_id is not None
    trace.result = result
    trace.outcome = InvocationResult(trace.request_id, None, None, duration_ms, init_ms)


def test_an_invocation_trace_keeps_the_event_the_result_and_the_log_lines() -> None:
    trace = InvocationTrace()
    sent(trace, "a", b'{"path": "/a"}')
    trace.log += "START RequestId: a Version: $LATEST\nhello\n"
    trace.log += "END RequestId: a\nREPORT RequestId: a\tDuration: 1.00 ms\n"
    assert (trace.cold, trace.duration_ms) == (None, None)  # no answer yet
    answered(trace, b'{"statusCode": 200}', 1.0, 150.0)
    assert (trace.request_id, trace.event, trace.result, trace.cold, trace.init_ms) == (
        "a",
        b'{"path": "/a"}',
        b'{"statusCode": 200}',
        True,
        150.0,
    )
    assert (trace.event_size, trace.result_size) == (14, 19)
    assert trace.log_lines() == [
        "START RequestId: a Version: $LATEST",
        "hello",
        "END RequestId: a",
        "REPORT RequestId: a\tDuration: 1.00 ms",
    ]


def test_a_large_event_or_result_is_kept_in_part() -> None:
    record = _invoked_record(b"e" * (KEPT_BYTES + 1), result=b"r" * (KEPT_BYTES + 5))
    history = RequestHistory(1)
    history.add(record, CREATED, 3.0)
    kept = history.get("id")
    assert kept is not None
    trace = kept.invocation
    assert trace is not None
    assert (len(trace.event), trace.event_size) == (KEPT_BYTES, KEPT_BYTES + 1)
    assert trace.result is not None
    assert (len(trace.result), trace.result_size) == (KEPT_BYTES, KEPT_BYTES + 5)
    assert trace.cold is True


def _invoked_record(event: bytes, result: bytes = b'{"statusCode": 201, "body": "done"}') -> RequestRecord:
    headers = {"Host": "h", "Authorization": "Bearer t"}
    multi = {name: [value] for name, value in headers.items()}
    request = GatewayRequest("POST", "/p", "a=1", headers, b'{"x": 1}', "127.0.0.1", "HTTP/1.1", multi)
    record = RequestRecord("id", request)
    trace = record.invoked(event_has_headers=False)
    sent(trace, "lambda-id", event)
    trace.log += "START RequestId: lambda-id Version: $LATEST\nhello\n"
    answered(trace, result, 2.5, 120.0)
    return record


CREATED = GatewayResponse(201, [("Content-Type", "text/plain"), ("X-A", "1")], b"done")


def test_a_record_in_the_history_is_as_small_as_what_it_shows() -> None:
    # orjson's output (the runtime's encoded event) holds the whole buffer it was written in, and
    # a request's objects are ~60 small ones: a record kept them all, a thousand times over.
    event = {"path": "/echo", "headers": {f"X-Header-{i}": "v" * 40 for i in range(25)}}
    # First-use caches, not the record's:
    RequestHistory(1).add(_invoked_record(encode_event(event)), CREATED, 3.0)
    history = RequestHistory(2)
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot().filter_traces(NOT_TRACEMALLOC)
        encoded = encode_event(event)
        size = len(encoded)
        history.add(_invoked_record(encoded), CREATED, 3.0)
        del encoded  # the runtime's reference: only the history's is left
        kept = tracemalloc.take_snapshot().filter_traces(NOT_TRACEMALLOC).compare_to(before, "filename")
    finally:
        tracemalloc.stop()
    # The event, the bodies, the log text and the meta (the headers, ~350 bytes).
    assert sum(stat.size_diff for stat in kept) < size + 600
    shown = history.get("id")
    assert shown is not None
    assert shown.invocation is not None
    assert orjson.loads(shown.invocation.event) == event


def test_a_sealed_record_shows_what_it_held_in_flight() -> None:
    history = RequestHistory(2)
    record = _invoked_record(b'{"path": "/p"}')
    history.add(record, CREATED, 3.0)
    kept = history.get("id")
    assert kept is not None
    assert kept is not record
    # What the record held in flight, and the answer it was added with (the history keeps the
    # sealed record; the one the gateway filled is dropped).
    in_flight = record.view()
    assert (kept.request, kept.response) == (in_flight.request, CREATED)
    assert kept.view().header_pairs() == in_flight.header_pairs()
    assert vars_of(kept.invocation) == vars_of(in_flight.invocation)
    assert (kept.view().request_body_size, kept.view().response_body_size, kept.status) == (8, 4, 201)
    assert (kept.sequence, kept.duration_ms, kept.received_at) == (1, 3.0, record.received_at)
    assert kept.invocation is not None
    assert kept.invocation.log_lines()[1] == "hello"


def test_a_kept_record_shows_its_authorizer_and_what_the_pipeline_noted() -> None:
    history = RequestHistory(2)
    record = _invoked_record(b'{"path": "/p"}')
    record.route, record.function = "/p", "fn"
    record.failure = "Execution failed due to configuration error"
    authorizer = record.authorizer = AuthorizerTrace("TokenAuth")
    allowing = authorizer.invocation = InvocationTrace()
    sent(allowing, "auth-id", b'{"type": "TOKEN"}')
    allowing.log += "START RequestId: auth-id Version: $LATEST\n"
    answered(allowing, b'{"principalId": "u"}', 1.5, None)
    authorizer.allowed, authorizer.context = True, {"sub": "u", "n": 1}
    authorizer.policy = {"Version": "2012-10-17", "Statement": []}
    history.add(record, CREATED, 3.0)
    kept = history.get("id")
    assert kept is not None
    assert kept.authorizer is not None
    assert (kept.route, kept.function, kept.failure) == ("/p", "fn", record.failure)
    assert {name: getattr(kept.authorizer, name) for name in ("name", "cached", "allowed", "status")} == {
        "name": "TokenAuth",
        "cached": False,
        "allowed": True,
        "status": None,
    }
    assert (kept.authorizer.context, kept.authorizer.policy) == (authorizer.context, authorizer.policy)
    assert vars_of(kept.authorizer.invocation) == vars_of(allowing)
    assert shown(kept)[3] == vars_of(record.invocation)  # the function's parts come before the authorizer's


def test_a_replay_is_noted_on_the_record_it_made() -> None:
    history = RequestHistory(2)
    history.add(_record("first"), OK, 1.0)
    history.add(_record("again"), OK, 1.0)
    history.note_replay("again", of="first")
    assert [(record.request_id, record.replay_of) for record in history.newest_first()] == [
        ("again", "first"),
        ("first", None),
    ]


def shown(record: RequestRecord) -> tuple[object, ...]:
    view = record.view()
    return (view.request, view.response, view.header_pairs(), vars_of(view.invocation))


def vars_of(trace: InvocationTrace | None) -> dict[str, object]:
    assert trace is not None
    return {name: getattr(trace, name) for name in TRACE_FIELDS}


TRACE_FIELDS = (
    *("request_id", "event", "event_size", "log"),
    *("result", "result_size", "duration_ms", "init_ms", "error"),
)


def test_the_headers_of_a_record_are_read_back_from_the_event_that_carries_them() -> None:
    headers, multi = {"Host": "h", "X-Twice": "2"}, {"Host": ["h"], "X-Twice": ["1", "2"]}
    request = GatewayRequest("GET", "/p", "", headers, b"", "127.0.0.1", "HTTP/1.1", multi)
    from_event = {"multiValueHeaders": {"X-Event": ["e"]}}  # not the request's: shows where they come from
    history = RequestHistory(3)
    for request_id, event, pairs in (
        ("whole", from_event, [("X-Event", "e")]),
        ("cut", {**from_event, "pad": "p" * KEPT_BYTES}, [("Host", "h"), ("X-Twice", "1"), ("X-Twice", "2")]),
    ):
        record = RequestRecord(request_id, request)
        trace = record.invoked(event_has_headers=True)
        sent(trace, "lambda-id", encode_event(event))
        answered(trace, b"{}", 1.0, None)
        history.add(record, OK, 2.0)
        kept = history.get(request_id)
        assert kept is not None
        assert kept.view().header_pairs() == pairs  # a cut event cannot be read: its record kept them


def test_a_record_whose_authorizer_context_json_cannot_write_is_kept_with_its_text() -> None:
    history = RequestHistory(2)
    record = _invoked_record(b'{"path": "/p"}')
    authorizer = record.authorizer = AuthorizerTrace("TokenAuth")
    authorizer.allowed, authorizer.context = True, {"big": 2**70, "when": datetime.date(2026, 12, 3)}
    history.add(record, CREATED, 3.0)
    kept = history.get("id")
    assert kept is not None
    assert kept.authorizer is not None
    assert kept.authorizer.context == {"big": 2**70, "when": "2026-12-03"}
    assert history.wait_for_newer(0, timeout_s=0)[0] == 1  # its sequence, read from json.dumps's spacing


def test_a_record_whose_function_runs_on_is_kept_as_it_is_until_it_ends() -> None:
    request = GatewayRequest("GET", "/slow", "", {}, b"", "127.0.0.1", "HTTP/1.1")
    record = RequestRecord("id", request)
    trace = record.invoked(event_has_headers=False)
    sent(trace, "lambda-id", b"{}")
    history = RequestHistory(2)
    history.add(record, GatewayResponse(504, [], b'{"message": "Endpoint request timed out"}'), 29000.0)
    assert history.get("id") is record
    assert record.invocation is trace  # the worker still fills it
    answered(trace, b"null", 31000.0, None)
    assert record.invocation is not None
    assert record.invocation.duration_ms == 31000.0


def test_a_live_record_shows_a_large_event_in_part_as_a_kept_one_does() -> None:
    request = GatewayRequest("GET", "/slow", "", {}, b"", "127.0.0.1", "HTTP/1.1")
    record = RequestRecord("id", request)
    trace = record.invoked(event_has_headers=False)
    sent(trace, "lambda-id", b"e" * (KEPT_BYTES + 1))
    RequestHistory(1).add(record, GatewayResponse(504, [], b""), 29000.0)  # its function runs on
    shown = record.invocation
    assert shown is not None
    assert (len(shown.event), shown.event_size, shown.result) == (KEPT_BYTES, KEPT_BYTES + 1, None)
    assert len(trace.event) == KEPT_BYTES + 1  # the worker's, untouched


def test_a_record_keeps_a_large_body_in_part() -> None:
    big = b"b" * (KEPT_BYTES + 3)
    request = GatewayRequest("POST", "/p", "", {"Host": "h"}, big, "127.0.0.1", "HTTP/1.1")
    record = RequestRecord("id", request)
    history = RequestHistory(1)
    history.add(record, GatewayResponse(200, [("Content-Type", "text/plain")], big + b"!"), 1.0)
    kept = history.get("id")
    assert kept is not None
    assert (len(kept.request.body), kept.view().request_body_size) == (KEPT_BYTES, KEPT_BYTES + 3)
    assert (len(kept.response.body), kept.view().response_body_size) == (KEPT_BYTES, KEPT_BYTES + 4)
    assert (kept.request.path, kept.status) == ("/p", 200)


def _rest_record(
    body: bytes = b'{"x": 1}', *, authorizer: bool = False, headers_in_event: bool = True
) -> RequestRecord:
    """A record as the gateway fills it for a REST API's function (its event carries the
    request's method, address, protocol and headers)."""
    multi = {"Host": ["h"], "X-Twice": ["1", "2"], "Authorization": ["Bearer t"]}
    headers = {name: values[-1] for name, values in multi.items()}
    request = GatewayRequest("POST", "/Prod/p", "a=1&b=2", headers, body, "10.0.0.7", "HTTP/1.1", multi)
    record = RequestRecord("id", request)
    record.route, record.function = "/p", "Fn"
    if authorizer:  # before the function's invocation, as the gateway does
        record.authorizer = AuthorizerTrace("TokenAuth")
    event = {
        "httpMethod": "POST",
        "multiValueHeaders": multi,
        "requestContext": {"protocol": "HTTP/1.1", "identity": {"sourceIp": "10.0.0.7"}},
    }
    trace = record.invoked(event_has_headers=headers_in_event)
    sent(trace, "lambda-id", encode_event(event))
    trace.log += "START RequestId: lambda-id Version: $LATEST\nhello\n"
    answered(trace, b'{"statusCode": 201, "body": "done"}', 2.5, 120.0)
    return record


def _written(response: GatewayResponse) -> GatewayResponse:
    """``response`` as the asyncio front leaves it once written."""
    response.wire = encode_response(response, head=False, keep_alive=True)
    return response


def _kept_meta(history: RequestHistory) -> list[object]:
    newest = history._records[-1]
    assert isinstance(newest, bytes)
    return sealed.unpack(newest)[0]


def test_a_function_answer_as_written_is_kept_compact_and_shows_what_it_held_in_flight() -> None:
    history = RequestHistory(2)
    record = _rest_record()
    response = _written(GatewayResponse(201, [("Content-Type", "text/plain"), ("X-A", "1")], b"done"))
    history.add(record, response, 3.0)
    assert sealed.is_compact(_kept_meta(history))
    kept = history.get("id")
    assert kept is not None
    in_flight = record.view()
    assert kept.request == in_flight.request
    assert kept.view().header_pairs() == in_flight.header_pairs()
    assert vars_of(kept.invocation) == vars_of(in_flight.invocation)
    assert kept.invocation is not None
    assert (kept.invocation.request_id, kept.invocation.cold) == ("lambda-id", True)
    # The answer as the client got it: the server's own headers too.
    shown = kept.response
    assert shown is not None
    assert (shown.status, shown.body) == (201, b"done")
    assert shown.headers[0][0] == "Date"
    assert shown.headers[1:] == [
        ("Content-Type", "text/plain"),
        ("X-A", "1"),
        ("Content-Length", "4"),
        ("Connection", "keep-alive"),
    ]
    assert (kept.view().request_body_size, kept.view().response_body_size) == (8, 4)
    assert (kept.sequence, kept.status, kept.duration_ms) == (1, 201, 3.0)
    assert kept.received_at == record.received_at
    assert (kept.route, kept.function, kept.failure, kept.authorizer) == ("/p", "Fn", None, None)
    assert [found.request_id for found in history.wait_for_newer(0, timeout_s=0)[1]] == ["id"]


def _failed(record: RequestRecord) -> GatewayResponse:
    note_failure(record, "Malformed Lambda proxy response")
    return _written(GatewayResponse(502, [], b'{"message": "Internal server error"}', from_gateway=True))


def _function_error(record: RequestRecord) -> GatewayResponse:
    trace = record.invocation
    assert trace is not None
    assert trace.outcome is not None
    error = InvocationError("Unhandled", "ValueError", "boom", ())
    trace.outcome = InvocationResult(trace.outcome.request_id, None, error, 1.0, None)
    return _written(GatewayResponse(502, [], b"{}", from_gateway=True))


def _not_written(record: RequestRecord) -> GatewayResponse:
    return GatewayResponse(200, [], b"ok")  # the Flask front's: no wire


def _ok(record: RequestRecord) -> GatewayResponse:
    return _written(GatewayResponse(200, [], b"ok"))


@pytest.mark.parametrize(
    ("record", "answer"),
    [
        pytest.param(_rest_record(), _not_written, id="not written by the asyncio front"),
        pytest.param(_rest_record(body=b"b" * KEPT_BYTES), _ok, id="a body over what is kept"),
        pytest.param(_rest_record(authorizer=True), _ok, id="an authorizer"),
        pytest.param(_rest_record(headers_in_event=False), _ok, id="a payload 2.0 event"),
        pytest.param(_rest_record(), _failed, id="a failure"),
        pytest.param(_rest_record(), _function_error, id="a function error"),
    ],
)
def test_a_record_the_compact_layout_cannot_hold_is_kept_in_full(
    record: RequestRecord, answer: Callable[[RequestRecord], GatewayResponse]
) -> None:
    history = RequestHistory(1)
    response = answer(record)
    history.add(record, response, 1.0)
    assert not sealed.is_compact(_kept_meta(history))
    kept = history.get("id")
    assert kept is not None
    assert kept.request == record.view().request
    if response.wire is None:
        assert kept.response == response
    else:  # shown as sent, as a compact record's answer is
        shown = kept.response
        assert shown is not None
        assert shown.headers[0][0] == "Date"
        assert (shown.status, shown.body, shown.from_gateway) == (
            response.status,
            response.body,
            response.from_gateway,
        )
