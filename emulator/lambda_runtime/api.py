"""The contract between the gateway and the Lambda runtime emulation: one awaitable call.

The gateway awaits an invocation on its event loop (:meth:`LambdaRuntime.call_async`); it may
stop waiting (API Gateway's 29 s integration timeout) while the function runs on to its own
Timeout. A blocking caller runs the same call on a private event loop
(``ProcessLambdaRuntime.invoke``), as SAM CLI's callers all go through one
``LambdaRuntime.invoke``.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from emulator.lambda_runtime.traces import InvocationTrace

ErrorKind = Literal[
    "Unhandled",  # the handler raised: Lambda's "Unhandled" function error
    "TimedOut",  # ran past Timeout: "Task timed out after N.NN seconds"
    "Crashed",  # the worker process died (sys.exit, segfault, OOM): Runtime.ExitError
    "Throttled",  # concurrency limit reached and the bounded wait expired (Lambda's 429)
    "MarshalError",  # the return value is not JSON-serialisable: Runtime.MarshalError
    "InitError",  # import of the handler module failed: Runtime.ImportModuleError etc.
    "RequestTooLarge",  # the event is over Lambda's 6 MB: the invocation is refused, nothing runs
]


@dataclass(frozen=True)
class FunctionConfig:
    name: str  # the function name the handler sees (context.function_name)
    handler: str  # "package.module.function", relative to code_dir
    code_dir: Path
    runtime: str = "python3.12"
    timeout_s: float = 3.0
    memory_mb: int = 128
    environment: Mapping[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    region: str = "us-east-1"
    account_id: str = "123456789012"
    # Layers' directories in the function's order (what Lambda extracts into /opt, one by one).
    layer_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class InvocationError:
    kind: ErrorKind
    error_type: str  # e.g. "ValueError", "Runtime.ExitError"
    error_message: str
    stack_trace: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvocationResult:
    request_id: str
    payload: Any = None  # the handler's JSON-decoded return value (when error is None)
    error: InvocationError | None = None
    duration_ms: float = 0.0
    init_duration_ms: float | None = None  # set on a cold start


class LambdaRuntime(Protocol):
    async def call_async(
        self,
        function_name: str,
        event: Mapping[str, Any],
        *,
        wait_s: float | None = None,
        request_id: str | None = None,
        trace: InvocationTrace | None = None,
    ) -> Future[InvocationResult]:
        """Invoke, awaiting the answer on the caller's event loop for at most ``wait_s``: the
        future is done unless that passed (the function then runs on to its own Timeout)."""
        ...

    def close(self) -> None: ...
