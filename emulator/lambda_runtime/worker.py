"""One Lambda execution environment: a warm Python process and the thread that watches it.

The process runs :mod:`.bootstrap`. The parent talks to it over two private pipes (requests
in, responses out) and reads its stdout+stderr from a third pipe, forwarding it line by line to
the log between START and END.

Who reads the response: on the fast path the caller's event loop (the gateway's) writes the
request and awaits the answer on the worker's pipe (:meth:`Worker.read_on_loop`, with the
worker's :class:`~.loop_reading.LoopReader`), so a warm invocation wakes no thread of this
process. Otherwise the worker's own thread reads: it runs the INIT phase, serves an invocation
that waited for a worker, and takes over from a caller that stops waiting before the
function's Timeout (API Gateway gives up at 29 s), reading on until the Timeout and killing a
hung handler on time, as Lambda does. Between invocations nobody reads: as on Lambda, an idle
environment is frozen; a process that died meanwhile is noticed when the next request cannot be
written to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import orjson

from emulator.clock import EmulatorClock
from emulator.lambda_runtime import bootstrap, environment, exits, logs
from emulator.lambda_runtime.api import ErrorKind, FunctionConfig, InvocationError, InvocationResult
from emulator.lambda_runtime.invocation import Invocation, decode_payload, failure, resolve
from emulator.lambda_runtime.limits import (
    MAX_RESPONSE_BYTES,
    RESPONSE_TOO_LARGE_MESSAGE,
    RESPONSE_TOO_LARGE_TYPE,
)
from emulator.lambda_runtime.loop_reading import LoopReader
from emulator.lambda_runtime.traces import InvocationTrace

BOOTSTRAP_PATH = Path(bootstrap.__file__).resolve()
# Lambda gives the INIT phase (imports, module-level code) 10 seconds on demand.
INIT_TIMEOUT_S = 10.0
_READABLE = select.POLLIN | select.POLLHUP | select.POLLERR
_TIMED_OUT = object()
_NOT_YET = object()  # the reader's own wait limit came before the function's Timeout


class WorkerOwner(Protocol):
    """The function's pool, told when a worker is free again or gone."""

    def release(self, worker: Worker) -> None: ...

    def discard(self, worker: Worker) -> None: ...

    def redispatch(self, invocation: Invocation) -> None: ...


class Worker:
    """A warm execution environment for one function, serving one invocation at a time."""

    def __init__(
        self,
        config: FunctionConfig,
        *,
        python: str,
        owner: WorkerOwner,
        generation: int,
        clock: EmulatorClock | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        self.generation = generation  # the code version it imported (see hot reload)
        self.registered = False  # set by the pool once it counts this worker
        self._owner = owner
        self._current: Invocation | None = None  # the invocation in progress
        self._init_failure: InvocationResult | None = None
        self._init_error: InvocationError | None = None  # why INIT failed, whoever was told
        self.init_done = threading.Event()  # INIT ended, well or not (serve's start-up check)
        self._output = logs.LineAssembler()
        self._ready = False
        self._stopped = False
        self._gone = False  # the process exited on its own
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)  # the worker thread parks on it
        self._watch: Invocation | None = None  # an invocation the worker thread must read for
        self._loop_reading = False  # a caller's loop is reading the pipes (one reader at a time)
        self._reader_ident: int | None = None  # the thread of that loop
        self._pending_start = ""  # START, written with the invocation's first other log text
        self._trace: InvocationTrace | None = None  # the current invocation's, when kept
        self._init_ms: float | None = None
        self._memory_mb = 0
        self._warned_memory = False  # once per worker
        self._output_open = True  # until every writer of the output pipe closed it
        self._output_drained = False  # the loop forwarded the output: no read needed for it
        self._log_later: Callable[..., Any] | None = None  # defers log writes (loop.call_soon)
        request_read, self._request_fd = os.pipe()
        self._response_fd, response_write = os.pipe()
        self._output_fd, output_write = os.pipe()
        os.set_blocking(self._output_fd, False)
        self._frames = bootstrap.FrameReader(self._response_fd, loads=orjson.loads)
        self._loop_reader = LoopReader(
            self._frames,
            self._output_fd,
            pump_output=self._pump_output,
            owned_fds=(self._request_fd, self._response_fd, self._output_fd),
        )
        self._started_at = time.monotonic()
        self.arn = environment.function_arn(config)
        command = [python, str(BOOTSTRAP_PATH), str(request_read), str(response_write), self.arn]
        if clock is not None and clock.offset_s:
            command.append(repr(clock.offset_s))
        try:
            self._process = subprocess.Popen(
                command,
                cwd=config.code_dir,
                env=environment.process_environment(
                    config,
                    log_stream_name=environment.new_log_stream_name(),
                    runtime_dir=BOOTSTRAP_PATH.parent,
                ),
                stdin=subprocess.DEVNULL,
                stdout=output_write,
                stderr=subprocess.STDOUT,
                pass_fds=(request_read, response_write),
            )
        except BaseException:
            for fd in (self._request_fd, self._response_fd, self._output_fd):
                os.close(fd)
            raise
        finally:
            for fd in (request_read, response_write, output_write):
                os.close(fd)
        self._poll = select.poll()
        self._poll.register(self._response_fd, _READABLE)
        self._poll.register(self._output_fd, _READABLE)
        self._thread = threading.Thread(target=self._serve, name=f"lambda-{config.name}", daemon=True)
        self._thread.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def stopped(self) -> bool:
        return self._stopped

    def invoke(self, invocation: Invocation, loop: asyncio.AbstractEventLoop | None = None) -> bool:
        """Start ``invocation`` on this worker, acquired from its pool.

        With ``loop`` (the caller's), that loop reads the answer if it may
        (``invocation.on_loop`` is then set: the caller awaits :meth:`read_on_loop`); else the
        worker's thread reads and resolves the future. False if the process died while idle,
        just before it was handed out: the caller then takes another worker, as the request
        never reached this one.
        """
        with self._lock:
            if self._init_failure is not None:  # INIT failed before this request arrived
                resolve(invocation, replace(self._init_failure, request_id=invocation.request_id))
                return True
            if self._gone or self._stopped:
                return False
            self._current = invocation
            if self._ready:
                # Warm: the caller writes the request itself.
                if not self._send(invocation):
                    # It exited while idle (a background thread exited it, or a kill): the
                    # request never reached it, so it goes to another worker.
                    self._gone = True
                    self._current = None
                    delivered = False
                elif loop is not None and self._loop_reader.may_read_on(loop):
                    invocation.on_loop = True  # the caller's loop reads the answer: read_on_loop
                    delivered = True
                else:
                    self._watch = invocation
                    self._wake.notify()
                    delivered = True
            else:
                return True  # the worker thread sends it once INIT is over
        if not delivered:
            self._stop_and_discard()
        return delivered

    async def read_on_loop(self, invocation: Invocation, wait_s: float | None) -> None:
        """On the caller's loop: await the answer of ``invocation`` (sent by :meth:`invoke`).

        Returns when its future is resolved, or at ``wait_s`` if that comes first: the worker's
        thread then reads on until the function's Timeout. Blocks no thread: the loop is woken
        by the answer's pipe.
        """
        until = invocation.deadline if wait_s is None else min(invocation.deadline, time.monotonic() + wait_s)
        loop = asyncio.get_running_loop()
        with self._lock:  # the worker's thread leaves the pipes alone meanwhile
            self._loop_reading = True
            self._reader_ident = threading.get_ident()
        outcome: object = None
        try:
            answered = await self._loop_reader.wait(until, output_open=self._output_open)
            if answered:
                self._output_drained = self._loop_reader.forwarded_output
                # END and REPORT are written once the caller has sent its answer on (the loop
                # runs them before it reads the next request): off the client's critical path.
                self._log_later = loop.call_soon
            # The answer is buffered (no wait), or the time is up or the process gone: then
            # this times the function out, reports the crash, or finds it is not yet due.
            outcome = self._read_response(invocation, until)
        except asyncio.CancelledError:  # the loop shuts down: the worker's thread reads on
            outcome = _NOT_YET
            raise
        except Exception as exc:  # a bug here must never leave the worker half-used
            self._fail_reader(invocation, exc)
            raise
        finally:
            self._log_later = None
            with self._lock:
                self._loop_reading = False
                self._reader_ident = None
                if outcome is _NOT_YET:
                    self._watch = invocation
                # Only when the parked worker thread has something to do: waking it after every
                # invocation would cost the very thread switch this path exists to avoid.
                if outcome is _NOT_YET or self._stopped:
                    self._wake.notify_all()

    def stop(self) -> None:
        """Kill the process (Lambda does not let a Python function shut down gracefully)."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            self._wake.notify_all()
            reading_here = self._reader_ident == threading.get_ident()
        with contextlib.suppress(ProcessLookupError):
            self._process.kill()
        self._process.wait()
        # The worker thread closes the pipes once no caller reads them: not joined by a reader.
        if threading.current_thread() is not self._thread and not reading_here:
            self._thread.join(timeout=5)

    # -- serving thread ------------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            if self._initialise():
                while True:
                    invocation = self._next_watch()
                    if invocation is None or self._read_response(invocation, invocation.deadline) is None:
                        break
        except Exception as exc:  # a bug here must never leave a caller waiting forever
            invocation = self._current
            if invocation is not None:
                self._fail_reader(invocation, exc)
            else:
                self._stop_and_discard()
            raise
        finally:
            with self._lock:  # a loop may still be reading the pipes (it stopped the worker)
                self._wake.wait_for(lambda: not self._loop_reading)
            self._loop_reader.close()

    def _next_watch(self) -> Invocation | None:
        """Park until an invocation is handed over; None once the worker is stopped."""
        with self._lock:
            while True:
                if not self._loop_reading:
                    if self._watch is not None:
                        invocation, self._watch = self._watch, None
                        return invocation
                    if self._stopped:
                        return None
                self._wake.wait()

    def _fail_reader(self, invocation: Invocation, exc: Exception) -> None:
        self._stop_and_discard()
        reason = f"emulator error: {exc!r}"
        resolve(invocation, failure(invocation.request_id, "Crashed", "Runtime.ExitError", reason))

    def _send(self, invocation: Invocation) -> bool:
        """Write the request; False if the process is gone (nothing was delivered)."""
        invocation.sent_at = now = time.monotonic()
        invocation.deadline = now + self.config.timeout_s
        meta: dict[str, Any] = {
            "rid": invocation.request_id,
            "deadline_ms": time.time() * 1000 + self.config.timeout_s * 1000,
        }
        if self._clock is not None and self._clock.offset_s:  # the emulator clock (emulator.clock)
            meta["clk"] = self._clock.offset_s
        try:
            bootstrap.write_frame(self._request_fd, meta, invocation.event, dumps=orjson.dumps)
        except OSError:
            return False
        invocation.sent = True
        self._trace = invocation.trace
        # Written with the invocation's first output or its END/REPORT: one log write per
        # invocation in the common case (the log is shared and locked).
        self._pending_start = logs.start_line(invocation.request_id)
        return True

    def _log(self, text: str) -> None:
        """Write to the log, after the current invocation's START if that is still pending."""
        if self._pending_start:
            text, self._pending_start = self._pending_start + text, ""
        if text:
            if self._trace is not None:
                self._trace.log += text
            if self._log_later is not None:
                self._log_later(logs.write, text)
            else:
                logs.write(text)

    @property
    def init_error(self) -> InvocationError | None:
        """Why this worker's INIT failed (None while it runs or once it succeeded)."""
        return self._init_error

    def _initialise(self) -> bool:
        """Wait for the INIT phase to end, then send the request that waited for it."""
        try:
            return self._run_init()
        finally:
            self.init_done.set()

    def _run_init(self) -> bool:
        init_limit_s = max(INIT_TIMEOUT_S, self.config.timeout_s)
        frame = self._next_frame(self._started_at + init_limit_s)
        self._init_ms = (time.monotonic() - self._started_at) * 1000
        if frame is _TIMED_OUT:
            self._stop_and_discard()
            message = f"Init phase timed out after {init_limit_s:.2f} seconds"
            self._fail_init("TimedOut", "Sandbox.Timedout", message, status="timeout")
            return False
        if frame is None:  # exited during import: sys.exit or a crash at module level
            reason = self._exit_reason()
            self._stop_and_discard()
            self._fail_init("InitError", "Runtime.ExitError", reason, status="error")
            return False
        assert isinstance(frame, tuple)
        error = frame[0].get("err")
        if error is not None:
            self._stop_and_discard()
            trace = tuple(error.get("stackTrace") or ())
            self._fail_init(
                "InitError", error["errorType"], error["errorMessage"], status="error", trace=trace
            )
            return False
        with self._lock:
            self._ready = True
            invocation = self._current
            if invocation is None or invocation.sent:
                return True
            if self._send(invocation):
                self._watch = invocation  # read by this thread: its caller waits on the future
                return True
            self._gone = True
            self._current = None
        # It exited right after INIT: the request never reached it, another worker takes it.
        self._stop_and_discard()
        self._owner.redispatch(
            Invocation(
                invocation.request_id,
                invocation.event,
                invocation.future,
                trace=invocation.trace,
                stats=invocation.stats,
            )
        )
        return False

    def _fail_init(
        self, kind: ErrorKind, error_type: str, message: str, *, status: str, trace: tuple[str, ...] = ()
    ) -> None:
        self._init_error = InvocationError(kind, error_type, message, trace)
        with self._lock:
            invocation = self._current
            if invocation is None:  # answer the request that is about to come with this failure
                error = self._init_error
                self._init_failure = InvocationResult("", None, error, 0.0, self._take_init_ms())
                return
        self._finish_failed(invocation, kind, error_type, message, status=status, stack_trace=trace)

    def _read_response(self, invocation: Invocation, until: float) -> object:
        """Read until ``invocation`` ends or ``until``: True (worker free again), None (gone), _NOT_YET."""
        frame = self._next_frame(until)
        if frame is _TIMED_OUT:
            if invocation.deadline > time.monotonic():
                return _NOT_YET
            self._time_out(invocation)
            return None
        if frame is None:
            with self._lock:  # no request may start on it from now on
                self._gone = True
            self._crashed(invocation)
            return None
        assert isinstance(frame, tuple)
        self._complete(invocation, *frame)
        return True

    def _complete(self, invocation: Invocation, meta: dict[str, Any], body: bytes) -> None:
        duration_ms, init_ms = meta["dur"], self._take_init_ms()
        self._memory_mb = meta["mem"]
        error = meta.get("err")
        self._log_end(invocation, duration_ms, init_ms, extra=self._memory_warning())
        if invocation.trace is not None:
            invocation.trace.result = body
        if error is None and len(body) > MAX_RESPONSE_BYTES:  # Lambda's 6 MB: a function error
            error = {"errorType": RESPONSE_TOO_LARGE_TYPE, "errorMessage": RESPONSE_TOO_LARGE_MESSAGE}
        if error is None:
            result = InvocationResult(invocation.request_id, decode_payload(body), None, duration_ms, init_ms)
        else:
            kind: ErrorKind = "MarshalError" if error["errorType"] == "Runtime.MarshalError" else "Unhandled"
            trace = tuple(error.get("stackTrace") or ())
            result = InvocationResult(
                invocation.request_id,
                None,
                InvocationError(kind, error["errorType"], error["errorMessage"], trace),
                duration_ms,
                init_ms,
            )
        self._current = None
        # Free the worker before answering, so that the caller's next request finds it warm.
        self._owner.release(self)
        resolve(invocation, result)

    def _next_frame(self, deadline: float) -> tuple[dict[str, Any], bytes] | object | None:
        """The next response frame; None if the process closed the pipe; _TIMED_OUT."""
        while True:
            frame = self._frames.buffered()
            if frame is not None:
                if self._output_drained:
                    self._output_drained = False
                else:
                    self._pump_output()
                return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _TIMED_OUT
            ready = [fd for fd, _ in self._poll.poll(remaining * 1000)]
            if self._output_fd in ready:
                # The worker writes its output before its response (and poll reports both when
                # both are there): drain it first, to keep order. No output, no read attempt.
                self._pump_output()
            if self._response_fd in ready and not self._frames.fill():
                return None  # the process closed its end: it exited
            # else: a frame (or part of a large one) was buffered; the loop returns it when whole

    def _pump_output(self) -> bool:
        """Forward what the output pipe holds to the log; False once every writer closed it."""
        text = ""
        while True:
            try:
                chunk = os.read(self._output_fd, 1 << 16)
            except BlockingIOError:
                break
            except OSError:
                chunk = b""
            if not chunk:  # every writer closed it: stop polling it (it would spin)
                self._output_open = False
                with contextlib.suppress(KeyError, ValueError):
                    self._poll.unregister(self._output_fd)
                break
            text += self._output.feed(chunk)
        if text:
            self._log(text)
        return self._output_open

    def _time_out(self, invocation: Invocation) -> None:
        peak = exits.peak_memory_mb(self._process.pid)
        if peak:
            self._memory_mb = peak
        self._stop_and_discard()
        self._pump_output()
        timeout_line = logs.timeout_line(invocation.request_id, self.config.timeout_s)
        self._log(self._output.flush() + timeout_line)
        limit = f"{self.config.timeout_s:.2f}"
        message = f"RequestId: {invocation.request_id} Error: Task timed out after {limit} seconds"
        self._finish_failed(invocation, "TimedOut", "Sandbox.Timedout", message, status="timeout")

    def _crashed(self, invocation: Invocation) -> None:
        reason = "the emulator shut the function down" if self._stopped else self._exit_reason()
        self._stop_and_discard()
        self._pump_output()
        message = f"RequestId: {invocation.request_id} Error: {reason}"
        self._log(self._output.flush() + message + "\nRuntime.ExitError\n")
        self._finish_failed(invocation, "Crashed", "Runtime.ExitError", message, status="error")

    def _exit_reason(self) -> str:
        # The response pipe closes as the process exits; give it a moment to be reaped.
        try:
            return exits.exit_reason(self._process.wait(timeout=2))
        except subprocess.TimeoutExpired:
            return "Runtime closed its invocation channel and did not exit"

    def _finish_failed(
        self,
        invocation: Invocation,
        kind: ErrorKind,
        error_type: str,
        message: str,
        *,
        status: str,
        stack_trace: tuple[str, ...] = (),
    ) -> None:
        init_ms = self._take_init_ms()
        started = invocation.sent_at or time.monotonic()
        duration_ms = (time.monotonic() - started) * 1000 if invocation.sent else 0.0
        if not invocation.sent:
            self._pending_start = logs.start_line(invocation.request_id)
            self._trace = invocation.trace
        self._log_end(invocation, duration_ms, init_ms, status=status, error_type=error_type)
        error = InvocationError(kind, error_type, message, stack_trace)
        resolve(invocation, InvocationResult(invocation.request_id, None, error, duration_ms, init_ms))

    def _log_end(
        self,
        invocation: Invocation,
        duration_ms: float,
        init_ms: float | None,
        *,
        status: str | None = None,
        error_type: str | None = None,
        extra: str = "",
    ) -> None:
        """The invocation's last output, then END and REPORT."""
        report = logs.end_and_report_lines(
            invocation.request_id,
            duration_ms=duration_ms,
            memory_mb=self.config.memory_mb,
            max_memory_used_mb=self._memory_mb,
            init_duration_ms=init_ms,
            status=status,
            error_type=error_type,
        )
        self._log(self._output.flush() + report + extra)

    def _memory_warning(self) -> str:
        # Lambda kills an environment that outgrows MemorySize (Runtime.OutOfMemory). Memory
        # use differs between machines (allocator, OS), so here it is a warning, not a kill.
        if self._memory_mb <= self.config.memory_mb or self._warned_memory:
            return ""
        self._warned_memory = True
        return (
            f"WARNING (emulator): {self.config.name} used {self._memory_mb} MB, over its MemorySize of "
            f"{self.config.memory_mb} MB: on Lambda this would fail with Runtime.OutOfMemory\n"
        )

    def _take_init_ms(self) -> float | None:
        init_ms, self._init_ms = self._init_ms, None
        return init_ms

    def _stop_and_discard(self) -> None:
        self._owner.discard(self)
        self.stop()
