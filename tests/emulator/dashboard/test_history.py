"""The request history's ring buffer and the invocations' traces, as plain objects."""

from __future__ import annotations

import threading
import tracemalloc

import pytest

from emulator.apigateway.proxy_response import GatewayResponse
from emulator.apigateway.request import GatewayRequest
from emulator.dashboard.history import RequestHistory, RequestRecord
from emulator.lambda_runtime.invocation import encode_event
from emulator.lambda_runtime.traces import KEPT_BYTES, InvocationTrace


def _record(request_id: str) -> RequestRecord:
    request = GatewayRequest("GET", f"/r/{request_id}", "", {}, b"", "127.0.0.1", "HTTP/1.1")
    return RequestRecord(request_id, request)


def test_the_history_keeps_the_newest_records_up_to_its_capacity() -> None:
    history = RequestHistory(3)
    for number in range(5):
        history.add(_record(f"id-{number}"))
    assert [record.request_id for record in history.newest_first()] == ["id-4", "id-3", "id-2"]
    assert history.get("id-1") is None
    assert history.get("id-2") is not None
    assert history.sequence == 5


def test_a_history_keeps_at_least_one_request() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RequestHistory(0)


def test_a_waiting_reader_gets_the_records_added_after_its_sequence() -> None:
    history = RequestHistory(10)
    history.add(_record("before"))
    seen = history.sequence
    added = threading.Thread(target=history.add, args=(_record("after"),))
    added.start()
    sequence, records = history.wait_for_newer(seen, timeout_s=30)
    added.join()
    assert sequence == 2
    assert [record.request_id for record in records] == ["after"]


def test_a_reader_with_nothing_new_gets_nothing_once_the_history_closes() -> None:
    history = RequestHistory(10)
    history.add(_record("only"))
    history.close()
    assert history.wait_for_newer(history.sequence, timeout_s=30) == (1, [])


def test_an_invocation_trace_keeps_the_event_the_result_and_the_log_lines() -> None:
    trace = InvocationTrace()
    trace.sent("a", b'{"path": "/a"}')
    trace.logged("START RequestId: a Version: $LATEST\nhello\n")
    trace.logged("END RequestId: a\nREPORT RequestId: a\tDuration: 1.00 ms\n")
    assert trace.cold is None  # no answer yet
    trace.answered(b'{"statusCode": 200}', 1.0, 150.0)
    assert (trace.request_id, trace.event, trace.result, trace.cold) == (
        "a",
        b'{"path": "/a"}',
        b'{"statusCode": 200}',
        True,
    )
    assert trace.log_lines() == [
        "START RequestId: a Version: $LATEST",
        "hello",
        "END RequestId: a",
        "REPORT RequestId: a\tDuration: 1.00 ms",
    ]


def test_a_large_event_or_result_is_kept_in_part() -> None:
    trace = InvocationTrace()
    trace.sent("a", b"e" * (KEPT_BYTES + 1))
    trace.answered(b"r" * (KEPT_BYTES + 5), 1.0, None)
    assert (len(trace.event), trace.event_size) == (KEPT_BYTES, KEPT_BYTES + 1)
    assert (len(trace.result), trace.result_size) == (KEPT_BYTES, KEPT_BYTES + 5)
    assert trace.cold is False


def test_a_trace_keeps_no_more_memory_than_the_event_it_shows() -> None:
    # The runtime encodes events with orjson, whose output holds the whole buffer it was written
    # in: kept as is, a 1.4 KB API event held 8-16 KB in each of the history's thousand traces.
    event = {"path": "/echo", "headers": {f"X-Header-{i}": "v" * 40 for i in range(25)}}
    trace = InvocationTrace()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        encoded = encode_event(event)
        size = len(encoded)
        trace.sent("a", encoded)
        del encoded  # the runtime's reference: only the trace's is left
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(trace.event) == size
    assert kept < size + 256


def test_a_record_keeps_a_large_body_in_part() -> None:
    big = b"b" * (KEPT_BYTES + 3)
    request = GatewayRequest("POST", "/p", "", {"Host": "h"}, big, "127.0.0.1", "HTTP/1.1")
    record = RequestRecord("id", request)
    record.answered(GatewayResponse(200, [("Content-Type", "text/plain")], big + b"!"), 1.0)
    assert (len(record.request.body), record.request_body_size) == (KEPT_BYTES, KEPT_BYTES + 3)
    assert (len(record.response.body), record.response_body_size) == (KEPT_BYTES, KEPT_BYTES + 4)
    assert (record.request.path, record.status) == ("/p", 200)
