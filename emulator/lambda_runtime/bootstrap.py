"""The program inside one Lambda execution environment (a warm worker process).

Run as ``python bootstrap.py REQUEST_FD RESPONSE_FD FUNCTION_ARN [CLOCK_OFFSET_S]`` by
:mod:`.worker`, with ``cwd`` = the function's code directory and a Lambda-like environment
(``LAMBDA_TASK_ROOT``, ``_HANDLER``...). It plays the part of Lambda's Python runtime interface
client: import the handler module once (the INIT phase), then serve invocations one at a time.

Invocations arrive over a private pipe, not stdin/stdout, so that whatever the handler prints
(print, ``logging``, Powertools' Logger) stays a plain stream that the parent forwards to the
log line by line. Frames in both directions: ``!II`` header (meta length, body length), a JSON
meta object, then a body of raw JSON bytes (the event, or the encoded return value).

This file is run by path and imports only the standard library on purpose: the emulator's own
package must not be importable from, or leak into, the function's interpreter. The parent
imports the framing helpers below from here, so both sides share one definition.
"""

from __future__ import annotations

import contextlib
import decimal
import importlib
import importlib.machinery
import json
import logging
import os
import random
import resource
import signal
import struct
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

_HEADER = struct.Struct("!II")
_READ_SIZE = 1 << 16


def _dumps(meta: dict[str, Any]) -> bytes:
    return json.dumps(meta, separators=(",", ":")).encode()


def write_frame(
    fd: int, meta: dict[str, Any], body: bytes = b"", *, dumps: Callable[[Any], bytes] = _dumps
) -> None:
    """Write one frame with a single write call in the common case.

    ``dumps``: the JSON encoder for ``meta`` (the emulator passes a faster one than the worker,
    which must run on any Python with the standard library alone).
    """
    encoded = dumps(meta)
    data = memoryview(_HEADER.pack(len(encoded), len(body)) + encoded + body)
    while data:
        data = data[os.write(fd, data) :]


class FrameReader:
    """Reads whole frames from a pipe, buffering what a read returns beyond one frame."""

    def __init__(self, fd: int, *, loads: Callable[[bytes | bytearray], Any] = json.loads) -> None:
        self.fd = fd
        self._loads = loads
        self._buffer = bytearray()
        self._eof = False  # fill() saw the end: read() must not block on a closed pipe

    def buffered(self) -> tuple[dict[str, Any], bytes] | None:
        """A complete frame already read from the pipe, if any (no system call)."""
        buffer = self._buffer
        if len(buffer) < _HEADER.size:
            return None
        meta_len, body_len = _HEADER.unpack_from(buffer)
        end = _HEADER.size + meta_len + body_len
        if len(buffer) < end:
            return None
        meta = self._loads(buffer[_HEADER.size : _HEADER.size + meta_len])
        body = bytes(buffer[_HEADER.size + meta_len : end])
        del buffer[:end]
        return meta, body

    def complete(self) -> bool:
        """A whole frame is buffered (:meth:`buffered` would return it)."""
        buffer = self._buffer
        if len(buffer) < _HEADER.size:
            return False
        meta_len, body_len = _HEADER.unpack_from(buffer)
        return len(buffer) >= _HEADER.size + meta_len + body_len

    def fill(self) -> bool:
        """Buffer what the pipe holds now (call when it is readable); False at its end.

        The pipe may be non-blocking (an event loop watched it): nothing there is not the end.
        """
        try:
            chunk = os.read(self.fd, _READ_SIZE)
        except BlockingIOError:
            return True
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def read(self) -> tuple[dict[str, Any], bytes] | None:
        """Block until a whole frame is there; None when the other side closed the pipe."""
        while True:
            frame = self.buffered()
            if frame is not None:
                return frame
            if self._eof:
                return None
            chunk = os.read(self.fd, _READ_SIZE)
            if not chunk:
                return None
            self._buffer += chunk


# --------------------------------------------------------------------------------------------
# Everything below runs only inside the worker process.


class CognitoIdentity:
    """``context.identity``: always an object; its ids are set only for Amazon Cognito callers."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self) -> None:
        self.cognito_identity_id = None
        self.cognito_identity_pool_id = None

    def __repr__(self) -> str:
        return (
            f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}])"
        )


class LambdaContext:
    """The ``context`` argument, with the attributes of the Python runtime's LambdaContext.

    As in the real runtime, ``memory_limit_in_mb`` is the string from
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE, ``identity`` an object whose ids are None (the caller is
    not a Cognito identity) and ``client_context`` None (the caller is not the Mobile SDK).
    """

    def __init__(self, request_id: str, deadline_ms: float, invoked_function_arn: str) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = _STATIC["function_name"]
        self.function_version = _STATIC["function_version"]
        self.memory_limit_in_mb = _STATIC["memory_limit_in_mb"]
        self.log_group_name = _STATIC["log_group_name"]
        self.log_stream_name = _STATIC["log_stream_name"]
        self.identity = CognitoIdentity()
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        # Lambda hands the runtime an absolute deadline (Lambda-Runtime-Deadline-Ms).
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def log(self, message: str) -> None:
        sys.stdout.write(str(message))

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},client_context=None,"
            f"identity={self.identity},tenant_id=None])"
        )


_STATIC: dict[str, str] = {}


class InitFailure(Exception):
    """The INIT phase failed; carries the error object the Python runtime would report."""

    def __init__(self, error_type: str, message: str, stack_trace: list[str]) -> None:
        super().__init__(message)
        self.error = {"errorType": error_type, "errorMessage": message, "stackTrace": stack_trace}


class _FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Compiles a just-edited module of the function from source, bypassing ``__pycache__``.

    Hot reload replaces a worker moments after an edit, and CPython's bytecode check (source
    mtime in whole seconds + size) accepts a stale ``.pyc`` after a same-size edit made within
    the same second. Caching only files edited more than a couple of seconds ago is safe: any
    later edit then lands in a later second. Older files, vendored libraries included, keep
    their cached bytecode, so cold starts stay fast.
    """

    def get_code(self, fullname: str) -> Any:
        try:
            age_s = time.time() - _CLOCK.offset_s - os.stat(self.path).st_mtime
        except OSError:
            age_s = 0.0
        if age_s < _FRESH_SOURCE_S:
            return self.source_to_code(self.get_data(self.path), self.path)
        return super().get_code(fullname)


_FRESH_SOURCE_S = 2.0


def _install_fresh_source_imports(task_root: str) -> None:
    loaders = [
        (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES),
        (_FreshSourceLoader, importlib.machinery.SOURCE_SUFFIXES),
        (importlib.machinery.SourcelessFileLoader, importlib.machinery.BYTECODE_SUFFIXES),
    ]

    def hook(path: str) -> importlib.machinery.FileFinder:
        full = os.path.abspath(path or ".")
        relative = os.path.relpath(full, task_root)
        parts = relative.split(os.sep)
        if parts[0] == ".." or any((p.startswith(".") and p != ".") or p == "site-packages" for p in parts):
            raise ImportError("not the function's own code")
        return importlib.machinery.FileFinder(full, *loaders)

    sys.path_hooks.insert(0, hook)
    sys.path_importer_cache.clear()


def load_handler(handler: str) -> Callable[..., Any]:
    """Import the handler as Lambda's Python runtime does, with its error types and messages."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise InitFailure("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {exc}", []) from None
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise InitFailure(
                "Runtime.BuiltInModuleConflict",
                f"Cannot use built-in module {module_name} as a handler module",
                [],
            )
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise InitFailure(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}", []
        ) from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise InitFailure(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", trace
        ) from None
    except InitFailure:
        raise
    except Exception as exc:  # any other exception at import time is reported under its own type
        raise InitFailure(type(exc).__name__, str(exc), _user_frames(exc)) from None
    handler_function = getattr(module, function_name, None)
    if handler_function is None:
        raise InitFailure(
            "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'", []
        )
    return handler_function


def _user_frames(exc: BaseException) -> list[str]:
    # The first frame is this bootstrap calling into user code; Lambda leaves its own out too.
    return traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])


def _print_error(error: dict[str, Any]) -> None:
    # What the Python runtime writes to the log for a failed init or an unhandled exception.
    lines = [f"[ERROR] {error['errorType']}: {error['errorMessage']}", "Traceback (most recent call last):"]
    lines.extend(frame.rstrip("\n") for frame in error["stackTrace"])
    sys.stdout.write("\n".join(lines) + "\n")


def _decimal_default(value: Any) -> Any:
    # The Python runtime encodes Decimal (what boto3 returns for DynamoDB numbers) as a number.
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def _install_lambda_logging() -> _RequestIdFilter:
    """The root logger handler of Lambda's Python runtime: ``[LEVEL]\\ttimestamp\\trequestId\\tmsg``."""
    request_filter = _RequestIdFilter()
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(request_filter)
    root = logging.getLogger()
    root.addHandler(handler)
    # LoggingConfig.ApplicationLogLevel reaches the runtime as AWS_LAMBDA_LOG_LEVEL.
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in logging.getLevelNamesMapping():
        root.setLevel(level)
    return request_filter


# Trace ids are unique, not secret: a PRNG seeded once from the OS, no system call per invocation.
_TRACE_RANDOM = random.Random()  # noqa: S311


def _trace_id() -> str:
    bits = f"{_TRACE_RANDOM.getrandbits(160):040x}"
    return f"Root=1-{int(time.time()):08x}-{bits[:24]};Parent={bits[24:]};Sampled=0"


class _TraceIdVariable:
    """``_X_AMZN_TRACE_ID``, set per invocation as Lambda sets it (Powertools and the X-Ray SDK
    read it), without growing the process.

    ``os.environ[NAME] = value`` calls ``setenv()``, and glibc never frees the string a setenv
    replaces (it cannot know whether someone still holds a ``getenv()`` pointer to it): with a
    new trace id per invocation, a warm worker grew by ~145 bytes per call, 11 MB over 80,000.
    Instead, one buffer is handed to ``putenv()`` once -- putenv keeps the pointer, it copies
    nothing -- and the next value is written into it in place (trace ids all have one length);
    os.environ's own mapping is updated without another setenv. So the handler's ``os.environ``
    and ``os.getenv``, C code's ``getenv`` and child processes all see the current id.
    ``make bench`` (runtime) shows the worker's memory over 80,000 invocations.
    """

    NAME = "_X_AMZN_TRACE_ID"

    def __init__(self) -> None:
        self._libc: Any = None
        self._buffer: Any = None  # the one putenv() holds (a replaced one is in no environ entry)
        self._c_level = hasattr(os, "putenv")

    def set(self, value: str) -> None:
        environ = os.environ
        environ._data[environ.encodekey(self.NAME)] = environ.encodevalue(value)  # type: ignore[attr-defined]
        if self._c_level:
            try:
                self._set_in_c(f"{self.NAME}={value}".encode())
            except (OSError, AttributeError, ValueError):  # no libc to call: os.environ alone
                self._c_level = False

    def _set_in_c(self, entry: bytes) -> None:
        import ctypes

        buffer = self._buffer
        if buffer is None or len(entry) + 1 != len(buffer) or not self._holds(buffer):
            # First call, another length, or the handler set the variable itself (its setenv
            # replaced our pointer): hand putenv a new buffer.
            if self._libc is None:
                self._libc = ctypes.CDLL(None, use_errno=True)
                self._libc.putenv.argtypes = [ctypes.c_void_p]
                self._libc.getenv.restype = ctypes.c_void_p
                self._libc.getenv.argtypes = [ctypes.c_char_p]
            buffer = ctypes.create_string_buffer(entry)
            if self._libc.putenv(ctypes.addressof(buffer)) != 0:
                raise OSError(ctypes.get_errno(), "putenv failed")
            self._buffer = buffer
            return
        ctypes.memmove(buffer, entry, len(entry))

    def _holds(self, buffer: Any) -> bool:
        import ctypes

        value = self._libc.getenv(self.NAME.encode())
        return value == ctypes.addressof(buffer) + len(self.NAME) + 1


_TRACE_ID = _TraceIdVariable()


class _PeakMemory:
    """The process's peak resident memory in MB (REPORT's Max Memory Used), read cheaply.

    On Linux, ru_maxrss survives execve: a worker forked from a big parent (a 400 MB test
    runner, say) would report the parent's peak. VmHWM is the peak of this process image alone;
    its file is kept open and re-read in place. The peak only ever grows, and a sub-millisecond
    invocation cannot grow it much, so a burst of fast invocations re-reads it at most every
    10 ms (a REPORT may then lag the true peak by one such invocation); a slower one always does.
    """

    REFRESH_S = 0.010

    def __init__(self) -> None:
        self._fd: int | None = None  # opened on first use: the emulator imports this module too
        self._opened = False
        self._peak_mb = 0
        self._read_at = 0.0

    def mb(self, duration_ms: float) -> int:
        now = time.monotonic()
        if duration_ms >= 1.0 or now - self._read_at >= self.REFRESH_S or not self._peak_mb:
            self._read_at = now
            self._peak_mb = self._read()
        return self._peak_mb

    def _read(self) -> int:
        if not self._opened:
            self._opened = True
            with contextlib.suppress(OSError):
                self._fd = os.open("/proc/self/status", os.O_RDONLY)
        if self._fd is not None:
            try:
                status = os.pread(self._fd, 8192, 0)
                start = status.index(b"VmHWM:") + 6
                return int(status[start : status.index(b"kB", start)]) // 1024 + 1
            except (OSError, ValueError):
                pass
        # ru_maxrss is in KiB on Linux and in bytes on macOS.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak / (1 << 20 if sys.platform == "darwin" else 1 << 10)) + 1


_PEAK_MEMORY = _PeakMemory()


class _ShiftedClock:
    """The emulator clock's offset (``python -m emulator clock``) applied to this process.

    time-machine patches ``time.time()``, ``time.time_ns()``, ``datetime.now()``/``utcnow()``,
    ``gmtime``/``localtime``/``strftime`` at C level, so every module sees the shift however it
    imported them (PyJWT's ``exp`` check included), and ticking: real time runs on from the
    shifted instant. Monotonic clocks are left alone (durations, the REPORT line). The offset
    arrives with each invocation, and only when it is not zero, so a process that was never
    shifted never imports time-machine. An interpreter without it (``--lambda-python``) runs on
    real time and says so once in the function's log.
    """

    def __init__(self) -> None:
        self.offset_s = 0.0
        self._travel: Any = None
        self._traveller: Any = None
        self._unavailable = False

    def set(self, offset_s: float) -> None:
        if self._unavailable or offset_s == self.offset_s:
            return
        if self._travel is None:
            try:
                import time_machine
            except ImportError:
                self._unavailable = True
                sys.stdout.write(
                    "[WARNING] emulator clock: time-machine is not installed in this function's "
                    f"interpreter ({sys.executable}): it keeps real time, not the clock's +{offset_s:.0f} s\n"
                )
                return
            self._travel = time_machine.travel(0, tick=True)
            self._traveller = self._travel.start()
            # Ticking starts at the first reading, so anchor it now and move the travel to real
            # time + offset as of then: never behind the emulator's clock, at most microseconds ahead.
            anchored = time.time()
            self._traveller.shift(time_machine.escape_hatch.time.time() + offset_s - anchored)
        elif offset_s == 0.0:  # back to real time: unpatched again
            self._travel.stop()
            self._travel = self._traveller = None
        else:
            self._traveller.shift(offset_s - self.offset_s)
        self.offset_s = offset_s


_CLOCK = _ShiftedClock()


def _yield_to_the_gateway() -> None:
    """Linux: run as SCHED_BATCH, so that a request written to this worker never preempts the
    gateway's event loop in the middle of its work (a woken batch task waits for the running one
    to block, instead of taking its CPU at once). Same nice level, same CPU share: only wake-up
    preemption changes (what it gains: README, Benchmarks). Unprivileged; where it does not exist,
    nothing changes."""
    policy = getattr(os, "SCHED_BATCH", None)
    if policy is not None:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, policy, os.sched_param(0))


def _ignore_signal(_signum: int, _frame: Any) -> None:
    return None


def _flush_output() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # the handler closed it: nothing to flush
            stream.flush()


def _invoke(
    handler: Callable[..., Any], meta: dict[str, Any], body: bytes, arn: str, log_filter: _RequestIdFilter
) -> tuple[dict[str, Any], bytes]:
    request_id = meta["rid"]
    offset_s = meta.get("clk", 0.0)
    if offset_s != _CLOCK.offset_s:
        _CLOCK.set(offset_s)
    _TRACE_ID.set(_trace_id())
    log_filter.request_id = request_id
    # The deadline is the emulator's real time: on the function's (shifted) clock it is later.
    context = LambdaContext(request_id, meta["deadline_ms"] + _CLOCK.offset_s * 1000, arn)
    started = time.perf_counter()
    error: dict[str, Any] | None = None
    payload = b""
    try:
        result = handler(json.loads(body), context)
    except Exception as exc:  # SystemExit/KeyboardInterrupt end the process, as on Lambda
        error = {"errorType": type(exc).__name__, "errorMessage": str(exc), "stackTrace": _user_frames(exc)}
        _print_error(error)
    else:
        try:
            payload = json.dumps(result, default=_decimal_default, ensure_ascii=False).encode()
        except (TypeError, ValueError) as exc:
            error = {
                "errorType": "Runtime.MarshalError",
                "errorMessage": f"Unable to marshal response: {exc}",
                "stackTrace": [],
            }
            _print_error(error)
    duration_ms = (time.perf_counter() - started) * 1000
    _flush_output()
    response: dict[str, Any] = {"dur": duration_ms, "mem": _PEAK_MEMORY.mb(duration_ms)}
    if error is not None:
        error["requestId"] = request_id
        response["err"] = error
    return response, payload


def main(argv: list[str]) -> int:
    request_fd, response_fd, arn = int(argv[1]), int(argv[2]), argv[3]
    # Ctrl+C in a terminal reaches the whole foreground process group, workers included: the
    # emulator shuts its workers down itself, so a KeyboardInterrupt traceback from each of them
    # would only be noise. A no-op handler rather than SIG_IGN, which processes started by the
    # handler would inherit.
    signal.signal(signal.SIGINT, _ignore_signal)
    _yield_to_the_gateway()
    # Keep the private channel out of processes the handler may start.
    os.set_inheritable(request_fd, False)
    os.set_inheritable(response_fd, False)
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    sys.path[0] = task_root  # the handler's directory comes first, as /var/task on Lambda
    # then the layers' /opt/python directories (environment.layer_import_paths)
    layer_paths = os.environ.pop("_EMULATOR_LAYER_PATHS", "")
    sys.path[1:1] = [path for path in layer_paths.split(os.pathsep) if path]
    _STATIC.update(
        function_name=os.environ["AWS_LAMBDA_FUNCTION_NAME"],
        function_version=os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
        memory_limit_in_mb=os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"],
        log_group_name=os.environ["AWS_LAMBDA_LOG_GROUP_NAME"],
        log_stream_name=os.environ["AWS_LAMBDA_LOG_STREAM_NAME"],
    )
    # Line buffering: what the handler printed is in the log even if it is then killed.
    sys.stdout.reconfigure(line_buffering=True)
    _install_fresh_source_imports(task_root)
    log_filter = _install_lambda_logging()
    if len(argv) > 4:  # the emulator clock's offset when the worker started: INIT sees it too
        _CLOCK.set(float(argv[4]))

    started = time.perf_counter()
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except InitFailure as failure:
        _print_error(failure.error)
        _flush_output()
        write_frame(response_fd, {"init_ms": (time.perf_counter() - started) * 1000, "err": failure.error})
        return 0
    write_frame(response_fd, {"init_ms": (time.perf_counter() - started) * 1000})

    requests = FrameReader(request_fd)
    while True:
        frame = requests.read()
        if frame is None:  # the emulator closed the channel (or died): shut down
            return 0
        response, payload = _invoke(handler, frame[0], frame[1], arn, log_filter)
        try:
            write_frame(response_fd, response, payload)
        except BrokenPipeError:  # nobody to answer to any more
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
