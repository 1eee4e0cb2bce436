"""A request record as the history keeps it: one bytes object, unpacked when a page asks.

A record kept a thousand requests long is freed when no CPU cache holds it any more, and each
object freed then is a handful of cache misses (its reference count, its type, its allocator's
pool): a record that kept the gateway's own objects (the request, its header dicts, the
response, the trace) was ~60 of them, 7.8 us a request under ``make bench``'s load (py-spy). The
history keeps **one** bytes object per request, nothing else. Packing it is work of its own:
17,000 to 19,000 instructions a request on the bench's echo (valgrind's callgrind, ``make
bench``'s ``recording`` suite, against a build that stops before sealing), of which orjson's
~4,000 and the join's and copies' ~1,000, the rest Python's. What
the request already holds as bytes is not written twice: the event (and, for a REST or payload
1.0 event, the request's headers in it), the result as the worker sent it.

Layout: the meta (orjson, a list read back by position: the request id first, so that a lookup
by id reads no more than the id; the record's sequence second; the log text is in it), a
newline (:data:`END_OF_META`), then the bodies, the events and the results back to back, each
what was kept of it: at most :data:`~emulator.lambda_runtime.traces.KEPT_BYTES` of the size
that the meta gives.
"""

from __future__ import annotations

from typing import Any

import orjson

from emulator.lambda_runtime.traces import KEPT_BYTES, InvocationTrace

END_OF_META = b"\n"  # JSON as orjson and json.dumps write it has none: strings escape it

# Positions in the meta (RequestRecord.seal writes them in this order).
REQUEST_ID, SEQUENCE, RECEIVED_AT, STATUS, DURATION_MS, API_ID, ROUTE, FUNCTION, FAILURE = range(9)
METHOD, PATH, QUERY, SOURCE_IP, PROTOCOL, MULTI_HEADERS, REQUEST_SIZE = range(9, 16)
RESPONSE_HEADERS, FROM_GATEWAY, RESPONSE_TYPE, RESPONSE_SIZE, TRACE, AUTHORIZER = range(16, 22)
# Positions in an invocation's meta (trace_meta).
EVENT_SIZE, RESULT_SIZE = 1, 2


def sequence_of(sealed: bytes) -> int:
    """The record's sequence, read from the meta's second field (after the request id, which
    has no quote in it)."""
    start = sealed.index(b'",', 2) + 2
    return int(sealed[start : sealed.index(b",", start)])


def is_of(sealed: bytes, quoted_id: bytes) -> bool:
    """Whether ``sealed`` is the record of the request id ``quoted_id`` (:func:`quoted`)."""
    return sealed.startswith(quoted_id)


def quoted(request_id: str) -> bytes:
    """How the meta starts for ``request_id`` (its JSON string: ids are ASCII, no escapes)."""
    return b'["' + request_id.encode() + b'",'


def unpack(sealed: bytes) -> tuple[list[Any], list[bytes]]:
    """``(meta, parts)``: each part's length is what was kept of its size in the meta."""
    offset = sealed.index(END_OF_META)
    meta = orjson.loads(memoryview(sealed)[:offset])
    offset += len(END_OF_META)
    sizes = [meta[REQUEST_SIZE], meta[RESPONSE_SIZE]]
    authorizer = meta[AUTHORIZER]
    for invocation in (meta[TRACE], authorizer and authorizer[-1]):
        if invocation is not None:
            sizes += (invocation[EVENT_SIZE], invocation[RESULT_SIZE] or 0)
    parts = []
    for size in sizes:
        length = min(size, KEPT_BYTES)
        parts.append(sealed[offset : offset + length])
        offset += length
    return meta, parts


def trace_from(meta: list[Any], event: bytes, result: bytes) -> InvocationTrace:
    from emulator.lambda_runtime.api import InvocationError, InvocationResult

    request_id, event_size, result_size, duration_ms, init_ms, log, error = meta
    trace = InvocationTrace()
    trace.request_id, trace.event, trace.log = request_id, event, log
    trace.kept_of = (event_size, result_size or 0)
    if result_size is not None:
        trace.result = result
    if error is not None:
        kind, error_type, message, stack = error
        error = InvocationError(kind, error_type, message, tuple(stack))
    trace.outcome = InvocationResult(request_id, None, error, duration_ms, init_ms)
    return trace


def trace_meta(trace: InvocationTrace) -> tuple[Any, ...]:
    """By position: :func:`trace_from` reads it (the event and the result are parts). Of a
    trace with its outcome, in flight (what the runtime set)."""
    outcome, result = trace.outcome, trace.result
    assert outcome is not None  # sealed once the invocation has its outcome
    error = outcome.error
    return (
        trace.request_id,
        len(trace.event),
        None if result is None else len(result),
        outcome.duration_ms,
        outcome.init_duration_ms,
        trace.log,
        None if error is None else (error.kind, error.error_type, error.error_message, error.stack_trace),
    )
