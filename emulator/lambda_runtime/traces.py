"""What one invocation sent and got, and its log text: kept when the caller asks for it.

The dashboard shows the exact event a function got, its raw result and its log lines, START to
REPORT. The runtime already has them as bytes and text: given a trace (``call_async(...,
trace=...)``), the invocation keeps references to them there (the encoded event, the result's
JSON as the worker sent it, the outcome, the log text, one string) instead of dropping them.
Nothing is computed or copied while the request is in flight: the history keeps what it shows
of them once the request is done (:mod:`emulator.dashboard.sealed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator.lambda_runtime.api import InvocationError, InvocationResult

# Bytes kept of an event, a result or a body (the dashboard shows this much; the size says the rest).
KEPT_BYTES = 64 * 1024


class InvocationTrace:
    """Filled by the runtime as the invocation goes; a field not set yet reads its default.

    The runtime sets :attr:`request_id` and :attr:`event` when it sends the event, the worker
    :attr:`result` when the answer comes and adds to :attr:`log` as the function writes, and
    :func:`~emulator.lambda_runtime.invocation.resolve` sets :attr:`outcome`, on every path (an
    answer, an error, a timeout, a crash, a throttle). The defaults are the class's: making one
    (once a request, on the gateway's loop) runs no ``__init__``.
    """

    request_id: str | None = None  # the Lambda request id (context.aws_request_id)
    event = b""  # as sent; or, read back from the history, what was kept of it
    # The log text as written: one str, added to by the worker (usually twice: START with the
    # function's output, then END and REPORT).
    log = ""
    result: bytes | None = None  # the handler's JSON-encoded return value (as for event: kept)
    outcome: InvocationResult | None = None  # None: no outcome (yet)
    kept_of: tuple[int, int] | None = None  # the sizes of event and result when they are kept in part

    @property
    def event_size(self) -> int:
        return len(self.event) if self.kept_of is None else self.kept_of[0]

    @property
    def result_size(self) -> int:
        if self.kept_of is not None:
            return self.kept_of[1]
        return 0 if self.result is None else len(self.result)

    @property
    def duration_ms(self) -> float | None:
        """None: no outcome (yet)."""
        return None if self.outcome is None else self.outcome.duration_ms

    @property
    def init_ms(self) -> float | None:
        """Set on a cold start."""
        return None if self.outcome is None else self.outcome.init_duration_ms

    @property
    def error(self) -> InvocationError | None:
        return None if self.outcome is None else self.outcome.error

    @property
    def cold(self) -> bool | None:
        return None if self.outcome is None else self.outcome.init_duration_ms is not None

    def log_lines(self) -> list[str]:
        return self.log.splitlines()
