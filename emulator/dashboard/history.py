"""The request history: what the gateway did with each request, kept in a bounded ring buffer.

While a request is in flight its record holds references (the request, the response, the
invocation's trace); once the answer is on its way the record is sealed into one bytes object
and appended to a deque (:mod:`emulator.dashboard.sealed`). Dicts for the API and the pages
are built from it later, when somebody asks (:mod:`emulator.dashboard.views`). The gateway hands
the record being filled down its pipeline: the steps that have something to show (the
authorizer, the integration) note it there.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson

from emulator.dashboard import record_view, sealed
from emulator.dashboard.record_view import RecordView
from emulator.lambda_runtime.traces import KEPT_BYTES, InvocationTrace

if TYPE_CHECKING:
    from emulator.apigateway.proxy_response import GatewayResponse
    from emulator.apigateway.request import GatewayRequest

DEFAULT_HISTORY = 1000
_END_OF_META = sealed.END_OF_META


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
    """What one request went through: filled as the pipeline runs, then kept sealed.

    In flight the record holds the gateway's own objects (the request, the response, the
    function's :class:`~emulator.lambda_runtime.traces.InvocationTrace`). The history keeps it as
    one bytes object (:mod:`emulator.dashboard.sealed`: why) and gives its readers a record
    unpacked from it (:meth:`unsealed`), which :meth:`view` reads as the in-flight one.

    The fields' defaults are the class's: making a record (once a request, on the gateway's
    loop) sets only what every request has.
    """

    _meta: list[Any] | None = None  # unpacked from the history (None: in flight)
    _parts: Sequence[bytes] = ()
    _response: GatewayResponse | None = None
    _trace: InvocationTrace | None = None
    _headers_in_event = False  # the function's event carries the request's headers as received
    # The function's trace while the record may be kept compact (see seal): a REST or payload
    # 1.0 invocation with no authorizer and no failure noted so far.
    _compact_trace: InvocationTrace | None = None
    status: int | None = None  # None: not answered (yet)
    duration_ms = 0.0
    sequence = 0  # its place in the history (the live list's event id)
    route: str | None = None  # the resource ("/users/{id}") or the HTTP API's route key
    function: str | None = None
    failure: str | None = None  # why the gateway answered 5xx itself (e.g. a malformed result)
    authorizer: AuthorizerTrace | None = None
    replay_of: str | None = None

    def __init__(self, request_id: str, request: GatewayRequest | None) -> None:
        self.request_id = request_id
        # An int: cheaper to seal than a float (~400 instructions a record fewer: callgrind).
        self.received_ns = time.time_ns()
        self._request = request

    @property
    def received_at(self) -> float:
        """When the gateway got the request (epoch seconds)."""
        return self.received_ns / 1e9

    def invoked(self, *, event_has_headers: bool) -> InvocationTrace:
        """The trace the function's invocation fills (its event, raw result and log).

        ``event_has_headers``: the event's ``multiValueHeaders`` are the request's headers as
        received (a REST or payload 1.0 event): the history reads them back from the event
        instead of keeping them twice.
        """
        self._headers_in_event = event_has_headers
        trace = self._trace = InvocationTrace()
        self._compact_trace = trace if event_has_headers and self.authorizer is None else None
        return trace

    def seal(self, response: GatewayResponse, sequence: int, duration_ms: float) -> bytes | None:
        """The record of the request answered ``response`` after ``duration_ms``, the history's
        ``sequence``-th, in the full layout (:mod:`.sealed`; :meth:`RequestHistory.add` writes the
        compact one); or None while it must stay live (a function of its runs on past the
        integration timeout: its worker still fills the trace), the answer then held by the
        record. Written flat, the pieces joined from one list."""
        request, trace, authorizer = self._request, self._trace, self.authorizer
        assert request is not None  # in flight, the record holds its request
        wire = sealed.kept_wire(response)
        if wire is not None:  # shown as sent, as a compact record's is
            answer, answer_headers, answer_size = wire, None, len(wire)
        else:
            answer, answer_headers, answer_size = (
                response.body[:KEPT_BYTES],
                response.headers,
                len(response.body),
            )
        pieces = [b"", sealed.END_OF_META, request.body[:KEPT_BYTES], answer]
        if trace is None:
            invoked = None
        elif trace.outcome is None:
            return self._live(response, sequence, duration_ms)
        else:
            invoked = sealed.trace_meta(trace)
            pieces += (trace.event[:KEPT_BYTES], (trace.result or b"")[:KEPT_BYTES])
        if authorizer is None:
            authorized = None
        else:
            allowing = authorizer.invocation
            if allowing is not None:
                if allowing.outcome is None:
                    return self._live(response, sequence, duration_ms)
                pieces += (allowing.event[:KEPT_BYTES], (allowing.result or b"")[:KEPT_BYTES])
            authorized = _authorizer_meta(authorizer)
        if self._headers_in_event and trace is not None and len(trace.event) <= KEPT_BYTES:
            headers = None  # read back from the event kept whole
        elif request.multi_headers is not None:
            headers = request.multi_headers
        else:
            headers = {name: [value] for name, value in request.headers.items()}
        fields = (  # by position: sealed.REQUEST_ID and the others
            self.request_id,
            sequence,
            self.received_ns,
            response.status,
            duration_ms,
            self.route,
            self.function,
            self.failure,
            request.method,
            request.path,
            request.query_string,
            request.source_ip,
            request.protocol,
            headers,
            len(request.body),
            answer_headers,  # None: the answer's part is the wire
            response.from_gateway,
            response.gateway_response_type,
            answer_size,
            invoked,
            authorized,
        )
        try:
            pieces[0] = orjson.dumps(fields)
        except TypeError:  # an authorizer's context or policy holding what JSON has no type for
            pieces[0] = json.dumps(fields, default=str).encode()
        return b"".join(pieces)

    def _live(self, response: GatewayResponse, sequence: int, duration_ms: float) -> None:
        """Hold the answer: the record stays live in the history (see :meth:`seal`)."""
        self._response, self.status, self.duration_ms, self.sequence = (
            response,
            response.status,
            duration_ms,
            sequence,
        )

    @classmethod
    def unsealed(cls, kept: bytes) -> RequestRecord:
        """A reader's record of what the history kept (see :mod:`emulator.dashboard.sealed`)."""
        meta, parts = sealed.unpack(kept)
        record = cls(meta[sealed.REQUEST_ID], None)
        record._meta, record._parts = meta, parts
        record.sequence, record.received_ns = meta[sealed.SEQUENCE], meta[sealed.RECEIVED_NS]
        record.status, record.duration_ms = meta[sealed.STATUS], meta[sealed.DURATION_MS]
        record.route, record.function = meta[sealed.ROUTE], meta[sealed.FUNCTION]
        if sealed.is_compact(meta):
            return record
        record.failure = meta[sealed.FAILURE]
        authorizer = meta[sealed.AUTHORIZER]
        if authorizer is not None:
            record.authorizer = _authorizer_from(authorizer, parts[-2:] if authorizer[-1] else [])
        return record

    def view(self) -> RecordView:
        """What the record shows, the gateway's objects rebuilt (when unpacked) or as held."""
        meta = self._meta
        if meta is None:
            assert self._request is not None  # until sealed, the record holds it
            return record_view.in_flight(self._request, self._response, self._trace)
        if sealed.is_compact(meta):
            return record_view.compact(meta, self._parts)
        return record_view.full(meta, self._parts, self.status or 0)

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


def _authorizer_from(meta: list[Any], parts: list[bytes]) -> AuthorizerTrace:
    """The authorizer's trace (``parts``: its invocation's event and result, if invoked; the log
    text is in the meta)."""
    name, cached, allowed, status, context, policy, reason, invocation = meta
    trace = AuthorizerTrace(name)
    trace.cached, trace.allowed, trace.status = cached, allowed, status
    trace.context, trace.policy, trace.reason = context, policy, reason
    if invocation is not None:
        trace.invocation = sealed.trace_from(invocation, *parts)
    return trace


def _authorizer_meta(trace: AuthorizerTrace) -> list[Any]:
    invocation = trace.invocation
    return [
        trace.name,
        trace.cached,
        trace.allowed,
        trace.status,
        trace.context,
        trace.policy,
        trace.reason,
        None if invocation is None else sealed.trace_meta(invocation),
    ]


class RequestHistory:
    """The last ``capacity`` records, oldest first; thread-safe.

    Filled on the gateway's loop, read by the dashboard's threads: a deque with a maximum length
    (appending is atomic and drops the oldest; copying it is atomic too) of sealed records
    (:mod:`.sealed`), and a condition that wakes the live-list clients waiting for a new record
    -- taken only when one waits. A reader gets records unpacked from them, its own.
    """

    def __init__(self, capacity: int = DEFAULT_HISTORY) -> None:
        if capacity < 1:
            raise ValueError("the request history keeps at least one request")
        self.capacity = capacity
        # Sealed; or a record whose function runs on past the integration timeout, live.
        self._records: deque[bytes | RequestRecord] = deque(maxlen=capacity)
        self._changed = threading.Condition(threading.Lock())
        self._added = 0  # records added so far: the newest one's sequence (the live list's event id)
        self._waiting = 0  # live-list clients waiting for a new record
        self._replays: dict[str, str] = {}  # request id -> the request it replayed
        self._closed = False

    def add(self, record: RequestRecord, response: GatewayResponse, duration_ms: float) -> None:
        """Keep the record of a request that was answered ``response`` after ``duration_ms``.

        On the gateway's loop (one thread adds): no lock unless a live-list client waits.
        """
        self._added = sequence = self._added + 1
        kept = None
        # The compact layout (see emulator.dashboard.sealed), written here rather than in a method
        # of the record: on the gateway's loop once per request, where each Python call is ~3 %
        # of what recording costs (callgrind, the bench's echo), and each bytecode ~0.5 %.
        trace = record._compact_trace
        if trace is not None:
            outcome, wire = trace.outcome, response.wire
            if outcome is not None and outcome.error is None and wire is not None:  # answered
                request: GatewayRequest = record._request  # type: ignore[assignment]  # in flight: held
                event, result, body = trace.event, trace.result or b"", request.body
                b, w, e, r = len(body), len(wire), len(event), len(result)
                if b + w + e + r <= KEPT_BYTES:
                    meta = (  # by position: sealed.C_PATH and the others
                        record.request_id,
                        sequence,
                        record.received_ns,
                        response.status,
                        duration_ms,
                        record.route,
                        record.function,
                        request.path,
                        request.query_string,
                        b,
                        w,
                        e,
                        r,
                        outcome.duration_ms,
                        outcome.init_duration_ms,
                    )
                    kept = b"".join(
                        (orjson.dumps(meta), _END_OF_META, body, wire, event, result, trace.log.encode())
                    )
        if kept is None:
            kept = record.seal(response, sequence, duration_ms)
        self._records.append(record if kept is None else kept)
        if self._waiting:
            with self._changed:
                self._changed.notify_all()

    def get(self, request_id: str) -> RequestRecord | None:
        quoted = sealed.quoted(request_id)
        for kept in reversed(self._records.copy()):
            if isinstance(kept, bytes):
                if sealed.is_of(kept, quoted):
                    return self._unsealed(kept)
            elif kept.request_id == request_id:
                return kept
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

    def note_replay(self, request_id: str, of: str) -> None:
        """``request_id`` replayed ``of`` (shown with it while the history keeps it)."""
        with self._changed:
            self._replays[request_id] = of
            while len(self._replays) > self.capacity:  # the oldest replays' records are gone too
                del self._replays[next(iter(self._replays))]

    def newest_first(self) -> list[RequestRecord]:
        return [self._unsealed(kept) for kept in reversed(self._records.copy())]

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
        newer: list[RequestRecord] = []
        for kept in reversed(self._records.copy()):
            if (sealed.sequence_of(kept) if isinstance(kept, bytes) else kept.sequence) <= sequence:
                break
            newer.append(self._unsealed(kept))
        newer.reverse()
        return (newer[-1].sequence if newer else sequence), newer

    def close(self) -> None:
        """Wake the waiting live-list clients (shutdown)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _unsealed(self, kept: bytes | RequestRecord) -> RequestRecord:
        record = RequestRecord.unsealed(kept) if isinstance(kept, bytes) else kept
        if self._replays:
            record.replay_of = self._replays.get(record.request_id)
        return record


def note_failure(record: RequestRecord | None, reason: str) -> None:
    """Why the gateway answered an error itself, on the request's record (if recorded)."""
    if record is not None:
        record.failure = reason
        record._compact_trace = None  # the compact layout has no failure
