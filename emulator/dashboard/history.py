"""The request history: what the gateway did with each request, kept in a bounded ring buffer.

The gateway's hot path only stores references here (the request, the response, the
invocation's trace): one small slotted object per request and one deque append. Dicts for the
API and the pages are built from them later, when somebody asks (:mod:`emulator.dashboard.views`).
The record being filled is the current task's
(:data:`CURRENT_RECORD`): the pipeline's deeper steps (the authorizer, the integration) note
what they did on it without each signature carrying it.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import deque
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from emulator.lambda_runtime.traces import KEPT_BYTES

if TYPE_CHECKING:
    from emulator.apigateway.proxy_response import GatewayResponse
    from emulator.apigateway.request import GatewayRequest
    from emulator.lambda_runtime.traces import InvocationTrace

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
    """What one request went through, filled as the pipeline runs.

    References only: the request and the response as the gateway had them (a body over
    :data:`~emulator.lambda_runtime.traces.KEPT_BYTES` is kept in part), the function's
    :class:`~emulator.lambda_runtime.traces.InvocationTrace` (its event, raw result, log lines).
    """

    __slots__ = (
        "api_id",
        "authorizer",
        "duration_ms",
        "failure",
        "function",
        "invocation",
        "received_at",
        "replay_of",
        "request",
        "request_body_size",
        "request_id",
        "response",
        "response_body_size",
        "route",
        "sequence",
    )

    def __init__(self, request_id: str, request: GatewayRequest) -> None:
        self.request_id = request_id
        self.received_at = time.time()
        size = self.request_body_size = len(request.body)
        self.request = (
            request if size <= KEPT_BYTES else dataclasses.replace(request, body=request.body[:KEPT_BYTES])
        )
        self.response: GatewayResponse | None = None
        self.response_body_size = 0
        self.duration_ms = 0.0
        self.sequence = 0  # its place in the history (the live list's event id)
        self.api_id: str | None = None
        self.route: str | None = None  # the resource ("/users/{id}") or the HTTP API's route key
        self.function: str | None = None
        self.invocation: InvocationTrace | None = None  # the function's event, result and log
        self.failure: str | None = None  # why the gateway answered 5xx itself (e.g. a malformed result)
        self.authorizer: AuthorizerTrace | None = None
        self.replay_of: str | None = None

    def answered(self, response: GatewayResponse, duration_ms: float) -> None:
        size = self.response_body_size = len(response.body)
        if size > KEPT_BYTES:
            response = dataclasses.replace(response, body=response.body[:KEPT_BYTES])
        self.response = response
        self.duration_ms = duration_ms

    @property
    def status(self) -> int | None:
        return self.response.status if self.response is not None else None

    def header_pairs(self) -> list[tuple[str, str]]:
        """The request's headers as received, a repeated one once per value."""
        request = self.request
        if request.multi_headers is not None:
            return [(name, value) for name, values in request.multi_headers.items() for value in values]
        return list(request.headers.items())


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
        self._records.append(record)
        if self._waiting:
            with self._changed:
                self._changed.notify_all()

    def get(self, request_id: str) -> RequestRecord | None:
        for record in reversed(self._records.copy()):
            if record.request_id == request_id:
                return record
        return None

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
