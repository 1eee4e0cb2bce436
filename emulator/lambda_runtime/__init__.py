"""Lambda execution environments as local processes: see :mod:`.runtime` and :mod:`.api`."""

from __future__ import annotations

from emulator.lambda_runtime.api import (
    ErrorKind,
    FunctionConfig,
    InvocationError,
    InvocationResult,
    LambdaRuntime,
)
from emulator.lambda_runtime.runtime import ProcessLambdaRuntime, UnknownFunctionError

__all__ = [
    "ErrorKind",
    "FunctionConfig",
    "InvocationError",
    "InvocationResult",
    "LambdaRuntime",
    "ProcessLambdaRuntime",
    "UnknownFunctionError",
]
