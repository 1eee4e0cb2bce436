"""What one invocation sent and got, and its log text: kept when the caller asks for it.

The dashboard shows the exact event a function got, its raw result and its log lines, START to
REPORT. The runtime already has them as bytes and text: given a trace (``call_async(...,
trace=...)``), the invocation keeps references to them there (the encoded event, the result's
JSON as the worker sent it, the log text, one string) instead of dropping them. Bytes and
strings are not tracked by Python's garbage collector, and each is one block to free when the
history drops the trace: profiled in the gateway's process, freeing the record 1,000 requests
old (cold in the CPU's caches) is the largest single item of what recording costs (3-4 us a
request), so a trace holds as few objects as it can.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator.lambda_runtime.api import InvocationError

# Bytes kept of an event, a result or a body (the dashboard shows this much; the size says the rest).
KEPT_BYTES = 64 * 1024


class InvocationTrace:
    """Filled by the runtime as the invocation goes; a field not set yet reads its default.

    The defaults are the class's, so that making one (once a request, on the gateway's loop)
    runs no ``__init__``.
    """

    request_id: str | None = None  # the Lambda request id (context.aws_request_id)
    event = b""
    event_size = 0
    # The log text as written: one str, added to by the worker (usually twice: START with the
    # function's output, then END and REPORT).
    log = ""
    result: bytes | None = None  # the handler's JSON-encoded return value
    result_size = 0
    duration_ms: float | None = None  # None: no answer (yet)
    init_ms: float | None = None  # set on a cold start
    error: InvocationError | None = None

    def sent(self, request_id: str, event: bytes) -> None:
        self.request_id = request_id
        # The encoder's object (orjson's output holds the whole buffer it was written in: 8-16 KB
        # behind a 1.4 KB API event), for as long as the request is in flight: the history
        # keeps a compact copy (emulator.dashboard.sealed).
        self.event = event if len(event) <= KEPT_BYTES else event[:KEPT_BYTES]
        self.event_size = len(event)

    def answered(self, body: bytes, duration_ms: float, init_ms: float | None) -> None:
        self.result = body if len(body) <= KEPT_BYTES else body[:KEPT_BYTES]
        self.result_size = len(body)
        self.duration_ms = duration_ms
        self.init_ms = init_ms

    @property
    def cold(self) -> bool | None:
        return None if self.duration_ms is None else self.init_ms is not None

    def log_lines(self) -> list[str]:
        return self.log.splitlines()
