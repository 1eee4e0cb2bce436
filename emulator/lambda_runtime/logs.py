"""The function log stream: CloudWatch's platform lines around the handler's own output.

Formats, as Lambda writes them to ``/aws/lambda/<function>``::

    START RequestId: <id> Version: $LATEST
    <handler output, line by line>
    END RequestId: <id>
    REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t
    Max Memory Used: 40 MB\tInit Duration: 150.00 ms

``Init Duration`` appears only on the first invocation of an execution environment. A timed out
or crashed invocation adds ``Status: timeout`` / ``Status: error\tError Type: ...``.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from emulator import log
from emulator.lambda_runtime.environment import FUNCTION_VERSION

_LOG = logging.getLogger(log.LAMBDA)


def write(text: str) -> None:
    """Complete lines (``text`` ends with a newline) to the ``emulator.lambda`` logger, as one
    record: the lines of concurrent workers never interleave, and a failing log never fails an
    invocation (logging reports its own errors)."""
    log.emit(_LOG, text[:-1] if text.endswith("\n") else text)


def start_line(request_id: str) -> str:
    return f"START RequestId: {request_id} Version: {FUNCTION_VERSION}\n"


def billed_duration_ms(duration_ms: float, init_duration_ms: float | None) -> int:
    # Billed per 1 ms, rounded up (since December 2020). Since August 2025 the INIT phase of
    # on-demand functions is billed too, so a cold start bills init + invocation.
    return math.ceil(duration_ms + (init_duration_ms or 0.0))


def end_and_report_lines(
    request_id: str,
    *,
    duration_ms: float,
    memory_mb: int,
    max_memory_used_mb: int,
    init_duration_ms: float | None,
    status: str | None = None,
    error_type: str | None = None,
) -> str:
    fields = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {billed_duration_ms(duration_ms, init_duration_ms)} ms",
        f"Memory Size: {memory_mb} MB",
        f"Max Memory Used: {max_memory_used_mb} MB",
    ]
    if init_duration_ms is not None:
        fields.append(f"Init Duration: {init_duration_ms:.2f} ms")
    if status is not None:
        fields.append(f"Status: {status}")
    if error_type is not None:
        fields.append(f"Error Type: {error_type}")
    return f"END RequestId: {request_id}\n" + "\t".join(fields) + "\n"


def timeout_line(request_id: str, timeout_s: float) -> str:
    """``2026-11-25T12:00:03.004Z <id> Task timed out after 3.00 seconds``."""
    timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return f"{timestamp} {request_id} Task timed out after {timeout_s:.2f} seconds\n"


class LineAssembler:
    """Turns the bytes a worker writes to stdout/stderr into whole lines for the sink."""

    def __init__(self) -> None:
        self._partial = b""

    def feed(self, chunk: bytes) -> str:
        data = self._partial + chunk
        cut = data.rfind(b"\n") + 1
        self._partial = data[cut:]
        return data[:cut].decode("utf-8", errors="replace")

    def flush(self) -> str:
        """The pending partial line, terminated: Lambda ends a log event where output stops."""
        data, self._partial = self._partial, b""
        return data.decode("utf-8", errors="replace") + "\n" if data else ""
