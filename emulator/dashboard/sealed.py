"""A request record as the history keeps it: one bytes object, unpacked when a page asks.

A record kept a thousand requests long is freed when no CPU cache holds it any more, and each
object freed then is a handful of cache misses (its reference count, its type, its allocator's
pool): a record that kept the gateway's own objects (the request, its header dicts, the
response, the trace) was ~60 of them, 7.8 us a request under ``make bench``'s load (py-spy). The
history keeps **one** bytes object per request, nothing else. Packing it is work of its own:
about 20,000 instructions a request on the bench's echo (valgrind's callgrind, ``make bench``'s
``recording`` suite), of which orjson's ~9,000 and the join's ~3,000, the rest Python's.

Layout: :data:`HEADER` (the record's sequence, the length of its meta), the meta (orjson, a
list read back by position: the request id first, so a lookup by id reads no more than the
header and the id), then the bodies, event, result and log text back to back, each at most
:data:`~emulator.lambda_runtime.traces.KEPT_BYTES`, their lengths in the meta.
"""

from __future__ import annotations

import struct
from typing import Any

import orjson

from emulator.lambda_runtime.traces import InvocationTrace

HEADER = struct.Struct("<QI")  # the record's sequence, the length of its meta

# Positions in the meta (RequestRecord.seal writes them in this order).
REQUEST_ID, PART_SIZES, RECEIVED_AT, STATUS, DURATION_MS, API_ID, ROUTE, FUNCTION, FAILURE = range(9)
METHOD, PATH, QUERY, SOURCE_IP, PROTOCOL, MULTI_HEADERS, REQUEST_SIZE = range(9, 16)
RESPONSE_HEADERS, FROM_GATEWAY, RESPONSE_TYPE, RESPONSE_SIZE, TRACE, AUTHORIZER = range(16, 22)


def sequence_of(sealed: bytes) -> int:
    return HEADER.unpack_from(sealed)[0]


def is_of(sealed: bytes, quoted_id: bytes) -> bool:
    """Whether ``sealed`` is the record of the request id ``quoted_id`` (:func:`quoted`)."""
    return sealed.startswith(quoted_id, HEADER.size)


def quoted(request_id: str) -> bytes:
    """How the meta starts for ``request_id`` (its JSON string: ids are ASCII, no escapes)."""
    return b'["' + request_id.encode() + b'"'


def unpack(sealed: bytes) -> tuple[int, list[Any], list[bytes]]:
    """``(sequence, meta, parts)``."""
    sequence, size = HEADER.unpack_from(sealed)
    offset = HEADER.size + size
    meta = orjson.loads(memoryview(sealed)[HEADER.size : offset])
    parts = []
    for length in meta[PART_SIZES]:
        parts.append(sealed[offset : offset + length])
        offset += length
    return sequence, meta, parts


def trace_from(meta: list[Any], event: bytes, result: bytes, log: bytes) -> InvocationTrace:
    from emulator.lambda_runtime.api import InvocationError

    trace = InvocationTrace()
    trace.request_id, trace.event_size, has_result, trace.result_size = meta[:4]
    trace.duration_ms, trace.init_ms, error = meta[4:]
    trace.event = event
    trace.result = result if has_result else None
    trace.log = log.decode()
    if error is not None:
        kind, error_type, message, stack = error
        trace.error = InvocationError(kind, error_type, message, tuple(stack))
    return trace


def trace_meta(trace: InvocationTrace) -> tuple[Any, ...]:
    """By position: :func:`trace_from` reads it."""
    error = trace.error
    return (
        trace.request_id,
        trace.event_size,
        trace.result is not None,
        trace.result_size,
        trace.duration_ms,
        trace.init_ms,
        None if error is None else (error.kind, error.error_type, error.error_message, error.stack_trace),
    )
