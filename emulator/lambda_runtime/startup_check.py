"""At start, every function's INIT is run once, and one that cannot start says so in one line.

A function whose module raises at import (a syntax error, a missing dependency, the backend's
refusal of an insecure configuration) would otherwise be noticed only as a 502 on its first
request. ``serve`` runs :func:`check_functions_start` once it is ready: one worker per function
runs its INIT (import and module-level code; the handler is never called), one function after
the other on a background thread so that the first requests keep the other core, and each worker
stays warm for the function's first request. A failure is one line on stderr:

    error: function LoginFunction (ios-auth-local-login) cannot start: RuntimeError: Refusing ...

The INIT's own output (the traceback) is in the function's log as usual.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Protocol

from emulator import log
from emulator.lambda_runtime.api import InvocationError

_LOG = logging.getLogger(log.SERVE + ".functions")


class InitChecked(Protocol):
    closed: bool

    def init_error(self, function_name: str) -> InvocationError | None: ...


def cannot_start_line(label: str, error: InvocationError) -> str:
    """``error: function LABEL cannot start: Type: message`` on one line."""
    message = " ".join(error.error_message.split())  # one line, whatever the exception says
    return f"error: function {label} cannot start: {error.error_type}: {message}"


def check_functions(runtime: InitChecked, functions: Sequence[tuple[str, str]]) -> list[str]:
    """INIT each function (``(function_name, label)``) in turn; the lines logged for failures."""
    lines = []
    for function_name, label in functions:
        if runtime.closed:
            break
        try:
            error = runtime.init_error(function_name)
        except Exception as exc:  # e.g. the worker process could not be started at all
            error = InvocationError("InitError", type(exc).__name__, str(exc))
        if error is not None and not runtime.closed:
            line = cannot_start_line(label, error)
            _LOG.error("%s", line)
            lines.append(line)
    return lines


def check_functions_start(runtime: InitChecked, functions: Sequence[tuple[str, str]]) -> threading.Thread:
    """:func:`check_functions` on a daemon thread (serve does not wait for it)."""
    thread = threading.Thread(
        target=check_functions, args=(runtime, list(functions)), name="functions-start-check", daemon=True
    )
    thread.start()
    return thread
