"""A worker's pipes read by an asyncio event loop: the gateway's hot path, no thread involved.

Each :class:`~emulator.lambda_runtime.worker.Worker` owns one :class:`LoopReader`. The first
invocation awaited on a loop registers the worker's two pipes (answers, output) with that loop,
and they stay registered while the worker is warm: re-registering them for every invocation
would cost epoll_ctl system calls on every request. The rule that keeps this safe: **while a loop has the
pipes registered, only that loop reads or closes them.**

- During an awaited invocation the loop buffers the answer as it arrives (a large one comes in
  pieces) and forwards the handler's output to the log, so a chatty handler never blocks.
- The worker's own thread reads when no loop does: during INIT, after the caller stopped
  waiting (API Gateway's 29 s; the function runs on to its Timeout), for an invocation that
  waited for a worker, and when the pipes are registered with another loop that is still open
  (a second front's loop, say). A wake-up of a loop's reader with no invocation awaited only
  unregisters it.
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
from typing import Any

from emulator.lambda_runtime.bootstrap import FrameReader


class LoopReader:
    """Watches a worker's answer and output pipes from the loop of the caller awaiting an answer."""

    def __init__(
        self,
        frames: FrameReader,
        output_fd: int,
        *,
        pump_output: Callable[[], bool],
        owned_fds: tuple[int, ...],
    ) -> None:
        """``pump_output`` forwards what the output pipe holds to the log and says whether the
        pipe is still open; ``owned_fds`` are the worker's descriptors, closed by :meth:`close`."""
        self._frames = frames
        self._response_fd = frames.fd
        self._output_fd = output_fd
        self._pump_output = pump_output
        self._owned_fds = owned_fds
        self._lock = threading.Lock()  # _loop and _close_pending, shared with the worker's thread
        self._loop: asyncio.AbstractEventLoop | None = None  # has the pipes registered
        self._output_registered = False
        self._waiter: asyncio.Future[None] | None = None  # an awaited invocation's wake-up
        self._close_pending = False  # the worker's thread asked the loop to close the pipes
        self._fds_closed = False

    def may_read_on(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Whether ``loop`` may read now: the pipes are registered with it, with no loop, or with
        one that is closed (its registrations went with it)."""
        with self._lock:
            current = self._loop
        return current is None or current is loop or current.is_closed()

    async def wait(self, until: float, *, output_open: bool) -> bool:
        """On the caller's loop: True once a whole answer is buffered, False at ``until`` or when
        the pipe ended first (the process is gone); then the pipes are let go of, so that the
        worker's thread may read them.

        True also means that the output written before the answer was forwarded already: I/O
        callbacks of a loop iteration run before the tasks they wake.
        """
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._register(loop, output_open)
        waiter = self._waiter = loop.create_future()
        # A timer, not asyncio.wait_for: no Task per invocation on the hot path.
        timer = loop.call_later(max(0.0, until - time.monotonic()), _wake, waiter)
        try:
            await waiter
        except BaseException:  # cancelled (the loop shuts down): the worker's thread reads on
            self._waiter = None
            self._unregister()
            raise
        finally:
            timer.cancel()
            self._waiter = None
        if self._frames.complete():
            return True
        self._unregister()
        return False

    @property
    def forwarded_output(self) -> bool:
        """The loop forwards the output as it comes (no read needed for it after an answer)."""
        return self._output_registered

    def close(self) -> None:
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
        self._close_now()

    # -- on the loop's thread --------------------------------------------------------------------

    def _register(self, loop: asyncio.AbstractEventLoop, output_open: bool) -> None:
        self._unregister()  # a closed loop (one per test, say) had them
        loop.add_reader(self._response_fd, self._on_response)
        self._output_registered = output_open
        if output_open:
            loop.add_reader(self._output_fd, self._on_output)
        with self._lock:
            self._loop = loop

    def _on_response(self) -> None:
        waiter = self._waiter
        if waiter is None:  # nothing awaited: the process exited, or a thread reads this time
            self._unregister()
            return
        # Only a whole frame (or the pipe's end) wakes the caller: a large answer arrives in
        # pieces, and the worker must never block the loop waiting for the rest.
        if (not self._frames.fill() or self._frames.complete()) and not waiter.done():
            waiter.set_result(None)

    def _on_output(self) -> None:
        if self._waiter is None:
            self._unregister()
            return
        if not self._pump_output() and self._loop is not None:  # every writer closed it
            self._loop.remove_reader(self._output_fd)
            self._output_registered = False

    def _unregister(self) -> None:
        """Let go of the pipes (and close them, if that was asked meanwhile)."""
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
            self._close_now()

    def _close_now(self) -> None:
        with self._lock:
            if self._fds_closed:
                return
            self._fds_closed = True
        for fd in self._owned_fds:
            with contextlib.suppress(OSError):
                os.close(fd)


def _wake(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_result(None)
