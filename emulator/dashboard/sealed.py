"""A request record as the history keeps it: one bytes object, unpacked when a page asks.

A record kept a thousand requests long is freed when no CPU cache holds it any more, and each
object freed then is a handful of cache misses (its reference count, its type, its allocator's
pool): a record that kept the gateway's own objects (the request, its header dicts, the
response, the trace) was ~60 of them, 7.8 us a request under ``make bench``'s load (py-spy). The
history keeps **one** bytes object per request, nothing else. Packing it is work of its own,
counted by valgrind's callgrind (``make bench``'s ``recording`` suite, the bench's echo, against
builds that stop before sealing): noting a request in flight ~8,500 instructions, sealing a
compact record ~8,700 (the full layout 17,000 to 19,000), orjson's and the join's ~2,500 each
of it and the rest Python's, where each bytecode counts. So what the request already holds as
bytes is never written twice, and the common request's record is mostly such bytes.

Two layouts. Both: the meta (orjson, a list read back by position: the request id first, so
that a lookup by id reads no more than the id; the record's sequence second), a newline
(:data:`END_OF_META`), then parts, bytes that already existed, back to back.

- **Compact**, for the common request: a REST or payload 1.0 event answered by its function, no
  authorizer, no failure, the answer written by the asyncio front, all of it under
  :data:`~emulator.lambda_runtime.traces.KEPT_BYTES`. The meta holds only what no part holds
  (15 fields: ids, times, status, route, function, path, query string, the parts' sizes, the
  invocation's durations); the parts are the request body, the answer as written (status line,
  headers, body: :attr:`GatewayResponse.wire`), the event (the request's method, source IP,
  protocol and headers are read back from it), the raw result and the log text (the Lambda
  request id is on its START line). Sealing one costs half what the full layout does.
- **Full**, for any other: the meta holds the rest too (21 fields, the log text and the
  authorizer's decision in it), the parts are the request body, the answer (as written, when the
  asyncio front wrote it and it fits: then every record of that front shows the same headers;
  else its body, its headers in the meta), the events and the results, each what was kept of
  it: at most ``KEPT_BYTES`` of the size that the meta gives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from emulator.lambda_runtime.traces import KEPT_BYTES, InvocationTrace

if TYPE_CHECKING:
    from emulator.apigateway.proxy_response import GatewayResponse

END_OF_META = b"\n"  # JSON as orjson and json.dumps write it has none: strings escape it

# Positions in the meta, both layouts (RequestRecord.seal writes the full one in this order,
# RequestHistory.add the compact one).
REQUEST_ID, SEQUENCE, RECEIVED_NS, STATUS, DURATION_MS, ROUTE, FUNCTION = range(7)
# The full layout's.
FAILURE, METHOD, PATH, QUERY, SOURCE_IP, PROTOCOL, MULTI_HEADERS, REQUEST_SIZE = range(7, 15)
RESPONSE_HEADERS, FROM_GATEWAY, RESPONSE_TYPE, RESPONSE_SIZE, TRACE, AUTHORIZER = range(15, 21)
# The compact layout's: the sizes of the request body, the wire, the event and the result (the
# log text is the rest), then the invocation's durations.
C_PATH, C_QUERY, C_SIZES, C_DURATION_MS, C_INIT_MS = 7, 8, slice(9, 13), 13, 14
_COMPACT_FIELDS = 15
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


def is_compact(meta: list[Any]) -> bool:
    return len(meta) == _COMPACT_FIELDS


def unpack(sealed: bytes) -> tuple[list[Any], list[bytes]]:
    """``(meta, parts)``: each part's length is what was kept of its size in the meta (compact:
    all of it, the log text the rest)."""
    offset = sealed.index(END_OF_META)
    meta = orjson.loads(memoryview(sealed)[:offset])
    offset += len(END_OF_META)
    if is_compact(meta):
        parts = []
        for size in meta[C_SIZES]:
            parts.append(sealed[offset : offset + size])
            offset += size
        parts.append(sealed[offset:])
        return meta, parts
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


def compact_trace(meta: list[Any], event: bytes, result: bytes, log: bytes) -> InvocationTrace:
    """A compact record's invocation: answered, its Lambda request id read from the log's
    START line (always there: the worker writes it before the function's first output, or with
    END and REPORT)."""
    from emulator.lambda_runtime.api import InvocationResult

    trace = InvocationTrace()
    trace.event, trace.result, trace.log = event, result, log.decode()
    first = trace.log.partition("\n")[0].split()
    request_id = first[2] if first[:2] == ["START", "RequestId:"] and len(first) > 2 else None
    trace.request_id = request_id
    trace.outcome = InvocationResult(request_id or "", None, None, meta[C_DURATION_MS], meta[C_INIT_MS])
    return trace


def kept_wire(response: GatewayResponse) -> bytes | None:
    """The answer as the asyncio front wrote it, when a record keeps it so (it fits whole)."""
    wire = response.wire
    return wire if wire is not None and len(wire) <= KEPT_BYTES else None


def response_from_wire(
    wire: bytes, *, from_gateway: bool = False, response_type: str | None = None
) -> GatewayResponse:
    """The answer as the asyncio front wrote it: status line, headers (``Date``,
    ``Content-Length`` and ``Connection`` among them, as sent), body (none for a HEAD)."""
    from emulator.apigateway.proxy_response import GatewayResponse

    head, _, body = wire.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [(name, value) for name, _, value in (line.partition(": ") for line in lines)]
    status = int(status_line.split(" ", 2)[1])
    return GatewayResponse(status, headers, body, from_gateway, response_type, wire=wire)
