"""A private asyncio event loop on a thread of its own, for a front whose requests block (WSGI).

The gateway is async and never leaves the loop it runs on (a warm worker's answer is awaited on
its pipe, see :mod:`emulator.lambda_runtime.loop_reading`). A WSGI server calls its application
on threads of its own, so the Flask front submits each request to one loop thread per app with
``run_coroutine_threadsafe`` and waits for the answer. One loop, not ``asyncio.run`` per request:
a worker's pipes stay registered with the loop that last read them, and a new loop per request
would re-register them (and build a loop) every time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

STOP_TIMEOUT_S = 30.0


class LoopClosed(RuntimeError):
    """The loop was stopped: nothing more runs on it."""


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's (libuv) when installed, as ``serve`` runs, else asyncio's own."""
    try:
        import uvloop
    except ImportError:  # not on every platform: asyncio's own loop serves the same
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class LoopThread:
    """Runs an event loop on a daemon thread from construction until :meth:`stop`."""

    def __init__(self, name: str = "emulator-loop") -> None:
        self.loop = new_event_loop()
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coroutine`` on the loop; its future. LoopClosed once stopped."""
        with self._lock:
            if self._stopped:
                coroutine.close()
                raise LoopClosed("the event loop is stopped")
            return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the loop and wait for its result (from any thread but the loop's).

        A request still running when the loop stops is cancelled: LoopClosed, not a hang.
        """
        try:
            return self.submit(coroutine).result()
        except concurrent.futures.CancelledError:
            raise LoopClosed("the event loop stopped before the answer") from None

    def stop(self) -> None:
        """Cancel what still runs, stop the loop and close it (idempotent)."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        if self._thread.is_alive():
            with contextlib.suppress(RuntimeError, concurrent.futures.TimeoutError):
                asyncio.run_coroutine_threadsafe(_cancel_the_rest(), self.loop).result(STOP_TIMEOUT_S)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(STOP_TIMEOUT_S)
        if not self._thread.is_alive():
            self.loop.close()


async def _cancel_the_rest() -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
