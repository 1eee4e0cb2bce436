"""One request to a function, as it travels from the caller to a worker and back."""

from __future__ import annotations

import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from emulator.lambda_runtime.api import ErrorKind, InvocationError, InvocationResult


@dataclass(eq=False)
class Invocation:
    request_id: str
    event: bytes  # the JSON-encoded event
    future: Future[InvocationResult]
    wait_deadline: float = 0.0  # monotonic time after which a throttled request gives up
    deadline: float = 0.0  # monotonic time at which the function times out (set when sent)
    sent_at: float = 0.0
    sent: bool = False
    direct: bool = False  # the caller will read the answer itself (ProcessLambdaRuntime.call)
    reader: Any = None  # the Worker whose answer the caller must read (set when sent directly)


def failure(
    request_id: str, kind: ErrorKind, error_type: str, message: str, **timing: Any
) -> InvocationResult:
    return InvocationResult(request_id, None, InvocationError(kind, error_type, message), **timing)


def new_request_id() -> str:
    return str(uuid.uuid4())
