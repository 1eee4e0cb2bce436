"""A worker's pipes read by an asyncio event loop: the gateway's hot path, no thread involved.

The first invocation awaited on a loop registers the worker's two pipes (answers, output) with
that loop, and they stay registered while the worker is warm: re-registering them for every
invocation cost ~12 epoll_ctl calls per request. The rule that keeps this safe: **while a loop
has the pipes registered, only that loop reads or closes them.**

- During an awaited invocation the loop buffers the answer as it arrives (a large one comes in
  pieces) and forwards the handler's output to the log, so a chatty handler never blocks.
- Anyone else who must read -- the worker's thread after API Gateway's 29 s (the function runs
  on to its Timeout), a caller on a thread (a route behind a Lambda authorizer) -- reads without
  the loop: a wake-up of the loop's reader with no invocation awaited only unregisters it.
- The worker's thread closes the pipes when the process is gone; if a loop still has them, the
  closing is handed to that loop (a closed descriptor's number can be reused at once by a new
  worker's pipe, whose registration a late ``remove_reader`` would then break).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.lambda_runtime.bootstrap import FrameReader
    from emulator.lambda_runtime.invocation import Invocation


class LoopReading:
    """Mixed into :class:`~emulator.lambda_runtime.worker.Worker` (which provides the fields below)."""

    _lock: threading.Lock
    _wake: threading.Condition
    _frames: FrameReader
    _response_fd: int
    _output_fd: int
    _output_open: bool
    _caller_reading: bool
    _reader_ident: int | None
    _watch: Invocation | None
    _output_drained: bool

    def _init_loop_reading(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None  # has the pipes registered
        self._output_registered = False
        self._loop_waiter: asyncio.Future[None] | None = None  # an awaited invocation's wake-up
        self._close_pending = False  # the worker's thread asked the loop to close the pipes
        self._fds_closed = False
        self._output_drained = False  # the loop forwarded the output: no read needed for it
        self._log_later: Callable[..., Any] | None = None  # defers log writes (loop.call_soon)

    if TYPE_CHECKING:

        def _pump_output(self) -> None: ...

        def read_for_caller(self, invocation: Invocation, wait_s: float | None) -> None: ...

        def _fds(self) -> tuple[int, ...]: ...

    async def read_for_caller_async(self, invocation: Invocation, wait_s: float | None) -> None:
        """:meth:`read_for_caller` for a caller on an asyncio loop: awaits the pipes, blocks no thread.

        Returns when the answer is in (then read by :meth:`read_for_caller`, which finds it
        buffered), or at ``wait_s`` or the function's Timeout, whichever comes first: then the
        pipes go back to the threads and :meth:`read_for_caller` decides as it always does --
        time the function out, or hand it over to the worker's thread, which reads on.
        """
        loop = asyncio.get_running_loop()
        until = invocation.deadline if wait_s is None else min(invocation.deadline, time.monotonic() + wait_s)
        with self._lock:  # as read_for_caller: the worker's thread leaves the pipes alone
            self._caller_reading = True
            self._reader_ident = threading.get_ident()
        if self._loop is not loop:
            self._register(loop)
        waiter = self._loop_waiter = loop.create_future()
        # A timer, not asyncio.wait_for: no Task per invocation on the hot path.
        timer = loop.call_later(max(0.0, until - time.monotonic()), _wake, waiter)
        try:
            await waiter
        except BaseException:  # cancelled (the loop shuts down): the worker's thread reads on
            self._loop_waiter = None
            self._unregister()
            with self._lock:
                self._caller_reading = False
                self._reader_ident = None
                self._watch = invocation
                self._wake.notify_all()
            raise
        finally:
            timer.cancel()
            self._loop_waiter = None
        if not self._frames.complete():  # out of time, or the process is gone
            self._unregister()
            self.read_for_caller(invocation, max(0.0, until - time.monotonic()))
            return
        # Output written before the answer was forwarded by _on_output already: I/O callbacks
        # of a loop iteration run before the tasks they wake.
        self._output_drained = self._output_registered
        # END and REPORT are written once the caller has sent its answer on (the loop runs
        # them before it reads the next request): the log is not on the client's critical path.
        self._log_later = loop.call_soon
        try:
            self.read_for_caller(invocation, max(0.0, until - time.monotonic()))
        finally:
            self._log_later = None

    # -- the loop's readers -------------------------------------------------------------------

    def _register(self, loop: asyncio.AbstractEventLoop) -> None:
        self._unregister()  # another loop (one per test, say) had them
        loop.add_reader(self._response_fd, self._on_response)
        self._output_registered = self._output_open
        if self._output_registered:
            loop.add_reader(self._output_fd, self._on_output)
        with self._lock:
            self._loop = loop

    def _on_response(self) -> None:
        waiter = self._loop_waiter
        if waiter is None:  # nothing awaited: the process exited, or a thread reads this time
            self._unregister()
            return
        # Only a whole frame (or the pipe's end) wakes the caller: a large answer arrives in
        # pieces, and read_for_caller must never block the loop waiting for the rest.
        if (not self._frames.fill() or self._frames.complete()) and not waiter.done():
            waiter.set_result(None)

    def _on_output(self) -> None:
        if self._loop_waiter is None:
            self._unregister()
            return
        self._pump_output()
        if not self._output_open and self._loop is not None:  # every writer closed it
            self._loop.remove_reader(self._output_fd)
            self._output_registered = False

    def _unregister(self) -> None:
        """On the loop's thread: let go of the pipes (and close them, if that was asked meanwhile)."""
        with self._lock:
            loop, self._loop = self._loop, None
            close = self._close_pending
        if loop is None:
            return
        if not loop.is_closed():  # a closed loop's registrations went with it
            loop.remove_reader(self._response_fd)
            if self._output_registered:
                loop.remove_reader(self._output_fd)
        self._output_registered = False
        if close:
            self._close_fds_now()

    def _close_fds(self) -> None:
        """On the worker's thread, once the process is gone: close the pipes, or have the loop do it."""
        with self._lock:
            loop = self._loop
            self._close_pending = loop is not None
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._unregister)
                return
            except RuntimeError:  # that loop is closed already: nobody watches the pipes
                with self._lock:
                    self._loop = None
        self._close_fds_now()

    def _close_fds_now(self) -> None:
        with self._lock:
            if self._fds_closed:
                return
            self._fds_closed = True
        for fd in self._fds():
            with contextlib.suppress(OSError):
                os.close(fd)


def _wake(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_result(None)
