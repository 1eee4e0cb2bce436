"""The request history: what the gateway did with each request, kept in a bounded ring buffer.

While a request is in flight its record holds references (the request, the response, the
invocation's trace); once the answer is on its way the record is sealed into one bytes object
and appended to a deque (:meth:`RequestRecord.seal`). Dicts for the API and the pages are built
from it later, when somebody asks (:mod:`emulator.dashboard.views`).
The record being filled is the current task's
(:data:`CURRENT_RECORD`): the pipeline's deeper steps (the authorizer, the integration) note
what they did on it without each signature carrying it.
"""

from __future__ import annotations

import dataclasses
import struct
import threading
import time
from collections import deque
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import orjson

from emulator.lambda_runtime.traces import KEPT_BYTES, InvocationTrace

if TYPE_CHECKING:
    from emulator.apigateway.proxy_response import GatewayResponse
    from emulator.apigateway.request import GatewayRequest

DEFAULT_HISTORY = 1000


class AuthorizerTrace:
    """One Lambda authorizer's part in a request: its invocation, the policy, the outcome."""

    __slots__ = ("allowed", "cached", "context", "invocation", "name", "policy", "reason", "status")

    def __init__(self, name: str) -> None:
        self.name = name
        self.invocation: InvocationTrace | None = None  # None: not invoked (refused before, or cached)
        self.cached = False
        self.allowed: bool | None = None
        self.status: int | None = None  # the gateway's refusal
        self.context: Any = None  # requestContext.authorizer when allowed
        self.policy: Any = None
        self.reason: str | None = None


class RequestRecord:
    """What one request went through: filled as the pipeline runs, sealed once in the history.

    While the request is in flight the record holds the gateway's own objects (the request, the
    response, the function's :class:`~emulator.lambda_runtime.traces.InvocationTrace`). The
    history then keeps it for the next thousand requests, so :meth:`seal` packs them into one
    bytes object (their JSON parts and their bodies, :data:`KEPT_BYTES` of each at most).
    Profiled with py-spy under ``make bench``'s load, the ~60 small objects a record used to keep
    were the largest part of what recording cost: each freed a thousand requests later is a
    cache miss, and hands the allocator a cold block for the next request's objects. The
    properties below rebuild the gateway's objects when the dashboard asks.
    """

    __slots__ = (
        "_request",
        "_response",
        "_sealed",
        "_trace",
        "api_id",
        "authorizer",
        "duration_ms",
        "failure",
        "function",
        "received_at",
        "replay_of",
        "request_id",
        "route",
        "sequence",
        "status",
    )

    def __init__(self, request_id: str, request: GatewayRequest) -> None:
        self.request_id = request_id
        self.received_at = time.time()
        self._request: GatewayRequest | None = request
        self._response: GatewayResponse | None = None
        self._trace: InvocationTrace | None = None
        self._sealed: bytes | None = None
        self.status: int | None = None  # None: not answered (yet)
        self.duration_ms = 0.0
        self.sequence = 0  # its place in the history (the live list's event id)
        self.api_id: str | None = None
        self.route: str | None = None  # the resource ("/users/{id}") or the HTTP API's route key
        self.function: str | None = None
        self.failure: str | None = None  # why the gateway answered 5xx itself (e.g. a malformed result)
        self.authorizer: AuthorizerTrace | None = None
        self.replay_of: str | None = None

    def invoked(self) -> InvocationTrace:
        """The trace the function's invocation fills (its event, raw result and log)."""
        trace = self._trace = InvocationTrace()
        return trace

    def answered(self, response: GatewayResponse, duration_ms: float) -> None:
        self._response = response
        self.status = response.status
        self.duration_ms = duration_ms

    def seal(self) -> None:
        """Pack what the record holds into one bytes object (see the class): once it is answered
        and its invocation, if any, is over (a function past the integration timeout runs on)."""
        request, response, trace = self._request, self._response, self._trace
        if request is None or response is None or (trace is not None and trace.duration_ms is None):
            return
        log = trace.log.encode() if trace is not None else b""
        parts = [
            request.body[:KEPT_BYTES],
            response.body[:KEPT_BYTES],
            trace.event if trace is not None else b"",
            (trace.result or b"") if trace is not None else b"",
            log,
        ]
        meta = orjson.dumps(
            [  # by position: view() reads it back in this order
                [len(part) for part in parts],
                request.method,
                request.path,
                request.query_string,
                request.source_ip,
                request.protocol,
                request.multi_headers
                if request.multi_headers is not None
                else {name: [value] for name, value in request.headers.items()},
                len(request.body),
                response.headers,
                response.from_gateway,
                response.gateway_response_type,
                len(response.body),
                None if trace is None else _trace_meta(trace),
            ],
            default=str,
        )
        self._sealed = b"".join([_LENGTH.pack(len(meta)), meta, *parts])
        self._request = self._response = self._trace = None

    def view(self) -> RecordView:
        """What the record shows, the gateway's objects rebuilt once (one unpacking when sealed)."""
        if self._sealed is None:
            request = self._request
            assert request is not None  # until sealed, the record holds it
            response = self._response
            return RecordView(
                request=_kept_body(request),
                response=None if response is None else _kept_body(response),
                invocation=self._trace,
                request_body_size=len(request.body),
                response_body_size=0 if response is None else len(response.body),
            )
        from emulator.apigateway.proxy_response import GatewayResponse
        from emulator.apigateway.request import GatewayRequest

        sealed = self._sealed
        (meta_size,) = _LENGTH.unpack_from(sealed)
        offset = _LENGTH.size + meta_size
        meta = orjson.loads(sealed[_LENGTH.size : offset])
        parts = []
        for size in meta[0]:
            parts.append(sealed[offset : offset + size])
            offset += size
        multi = meta[6]
        return RecordView(
            request=GatewayRequest(
                method=meta[1],
                path=meta[2],
                query_string=meta[3],
                headers={name: values[-1] for name, values in multi.items()},
                body=parts[0],
                source_ip=meta[4],
                protocol=meta[5],
                multi_headers=multi,
            ),
            response=GatewayResponse(
                self.status or 0, [(name, value) for name, value in meta[8]], parts[1], meta[9], meta[10]
            ),
            invocation=None if meta[12] is None else _trace_from(meta[12], parts[2], parts[3], parts[4]),
            request_body_size=meta[7],
            response_body_size=meta[11],
        )

    # One-field reads (each rebuilds the view: a page reading several calls view() once).
    @property
    def request(self) -> GatewayRequest:
        """The request as the gateway had it (the body: what was kept of it)."""
        return self.view().request

    @property
    def response(self) -> GatewayResponse | None:
        """The answer as the gateway sent it (None before; the body: what was kept of it)."""
        return self.view().response

    @property
    def invocation(self) -> InvocationTrace | None:
        """The function's event, raw result and log (None: no function was invoked)."""
        return self.view().invocation


@dataclasses.dataclass(frozen=True)
class RecordView:
    """A record as the dashboard shows it: bodies as kept, with their sizes as received/sent."""

    request: GatewayRequest
    response: GatewayResponse | None  # None: not answered (yet)
    invocation: InvocationTrace | None  # None: no function was invoked
    request_body_size: int
    response_body_size: int

    def header_pairs(self) -> list[tuple[str, str]]:
        """The request's headers as received, a repeated one once per value."""
        request = self.request
        if request.multi_headers is not None:
            return [(name, value) for name, values in request.multi_headers.items() for value in values]
        return list(request.headers.items())


def _kept_body(message: Any) -> Any:
    """A request or response with at most :data:`KEPT_BYTES` of its body."""
    if len(message.body) <= KEPT_BYTES:
        return message
    return dataclasses.replace(message, body=message.body[:KEPT_BYTES])


_LENGTH = struct.Struct("<I")


def _trace_meta(trace: InvocationTrace) -> list[Any]:
    error = trace.error
    return [
        trace.request_id,
        trace.event_size,
        trace.result is not None,
        trace.result_size,
        trace.duration_ms,
        trace.init_ms,
        None if error is None else [error.kind, error.error_type, error.error_message, error.stack_trace],
    ]


def _trace_from(meta: list[Any], event: bytes, result: bytes, log: bytes) -> InvocationTrace:
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


CURRENT_RECORD: ContextVar[RequestRecord | None] = ContextVar("emulator_request_record", default=None)


def current_record() -> RequestRecord | None:
    """The record of the request the current task is answering (None when nothing is recorded)."""
    return CURRENT_RECORD.get()


class RequestHistory:
    """The last ``capacity`` records, oldest first; thread-safe.

    Filled on the gateway's loop, read by the dashboard's threads: a deque with a maximum length
    (appending is atomic and drops the oldest; copying it is atomic too), and a condition that
    wakes the live-list clients waiting for a new record -- taken only when one waits.
    """

    def __init__(self, capacity: int = DEFAULT_HISTORY) -> None:
        if capacity < 1:
            raise ValueError("the request history keeps at least one request")
        self.capacity = capacity
        self._records: deque[RequestRecord] = deque(maxlen=capacity)
        self._changed = threading.Condition(threading.Lock())
        self._added = 0  # records added so far: the live list's event ids
        self._waiting = 0  # live-list clients waiting for a new record
        self._closed = False

    def add(self, record: RequestRecord) -> None:
        """On the gateway's loop (one thread adds): no lock unless a live-list client waits."""
        self._added = record.sequence = self._added + 1
        record.seal()
        self._records.append(record)
        if self._waiting:
            with self._changed:
                self._changed.notify_all()

    def get(self, request_id: str) -> RequestRecord | None:
        for record in reversed(self._records.copy()):
            if record.request_id == request_id:
                return record
        return None

    def wait_for(self, request_id: str, timeout_s: float) -> RequestRecord | None:
        """The record of ``request_id``, waiting up to ``timeout_s`` for it: the gateway keeps a
        record once its answer is on the way, so a client in another thread may hold the answer
        a moment before the history holds the record (a client over HTTP never does: its next
        request is read after)."""
        with self._changed:
            self._waiting += 1
            try:
                self._changed.wait_for(lambda: self.get(request_id) is not None or self._closed, timeout_s)
            finally:
                self._waiting -= 1
        return self.get(request_id)

    def newest_first(self) -> list[RequestRecord]:
        return list(reversed(self._records.copy()))

    @property
    def sequence(self) -> int:
        return self._added

    def wait_for_newer(self, sequence: int, timeout_s: float) -> tuple[int, list[RequestRecord]]:
        """The records added after ``sequence`` (oldest first), waiting up to ``timeout_s`` for one."""
        with self._changed:
            self._waiting += 1
            try:
                self._changed.wait_for(lambda: self._added > sequence or self._closed, timeout_s)
            finally:
                self._waiting -= 1
        newer = [record for record in self._records.copy() if record.sequence > sequence]
        return (newer[-1].sequence if newer else sequence), newer

    def close(self) -> None:
        """Wake the waiting live-list clients (shutdown)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


def note_failure(reason: str) -> None:
    """Why the gateway answered an error itself, on the current request's record (if recorded)."""
    record = CURRENT_RECORD.get()
    if record is not None:
        record.failure = reason
