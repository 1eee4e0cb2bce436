"""serve's watchdog over the embedded AWS endpoint: a child that dies is said and restarted.

Without it, a killed endpoint (``kill -9``, the OOM killer, a crash in moto) left every function's
DynamoDB call failing -- register answering 500 -- until the user restarted the whole stack, and
serve wrote no line about it. Now serve notices the exit at once (a thread waits on the child),
logs one line with the exit status, starts a new child on the same data dir and the same socket
(:class:`~.process.EmbeddedAws` ``keep_listening``: the port never changes and a connection made
in the gap waits in the backlog), and says when it is back. The journal makes the restart safe:
every acknowledged write is on disk before its answer left.

Meanwhile the gateway holds requests for a bounded time (:meth:`EndpointWatchdog.wait_until_up`)
and then answers a clear 503 instead of letting a handler fail with a 500, and
``/_emulator/health`` reports the endpoint's state. A child that keeps dying soon after it
starts (:data:`FAST_CRASHES` times, each within :data:`FAST_CRASH_S` of being ready, or failing
to start) is given up on: a clear message, and serve stops with a non-zero exit.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from emulator import log
from emulator.aws.process import EmbeddedAws
from emulator.errors import UserError

FAST_CRASH_S = 10.0
FAST_CRASHES = 3
# Pauses before the 2nd, 3rd... restart in a row (the first is immediate): a crash loop must not
# spin, and an endpoint that failed to start for a passing reason gets a moment.
BACKOFF_S = (0.0, 0.5, 2.0)
_LOG = logging.getLogger(log.SERVE)


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class EndpointWatchdog:
    """Watches ``aws`` (launched with ``keep_listening``) once :meth:`start` is called."""

    def __init__(self, aws: EmbeddedAws, *, on_give_up: Callable[[], None]) -> None:
        self._aws = aws
        self._on_give_up = on_give_up
        self._lock = threading.Lock()
        self._up = threading.Event()
        self._stopping = threading.Event()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[bool]]] = []
        self.state = "starting"  # starting, up, restarting, failed, stopped
        self.restarts = 0
        self.last_exit: str | None = None
        self.gave_up = False
        self._thread: threading.Thread | None = None

    # -- the gateway's side (its event loop) ------------------------------------------------------
    def health(self) -> tuple[int, dict[str, Any]]:
        """``/_emulator/health``: 200 while the endpoint serves, 503 while it is down."""
        aws: dict[str, Any] = {"state": self.state, "restarts": self.restarts}
        if self.state == "up":
            aws["pid"] = self._aws.pid
        if self.last_exit is not None:
            aws["lastExit"] = self.last_exit
        if self.state == "up":
            return 200, {"status": "ok", "aws": aws}
        return 503, {"status": "unavailable", "aws": aws}

    async def wait_until_up(self, timeout_s: float) -> bool:
        """True once the endpoint serves (at once in the common case); False after ``timeout_s``
        or when it was given up on."""
        if self._up.is_set():
            return True
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        entry = (loop, future)
        with self._lock:
            if self._up.is_set():
                return True
            if self.gave_up or self._stopping.is_set():
                return False
            self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout_s)
        except TimeoutError:
            return self._up.is_set()
        finally:
            with self._lock:
                if entry in self._waiters:
                    self._waiters.remove(entry)

    # -- serve's side -----------------------------------------------------------------------------
    def start(self) -> None:
        """The endpoint is ready (``wait_until_ready`` returned): watch it from now on."""
        self._set_up()
        self._thread = threading.Thread(target=self._watch, name="aws-watchdog", daemon=True)
        self._thread.start()

    def stop(self, *, wait: bool = True) -> None:
        """Stop watching, then stop the endpoint (``wait``: for its last snapshot)."""
        self._stopping.set()
        self._set_state("stopped", up=False)
        self._aws.stop(wait=wait)

    # -- the watching thread ----------------------------------------------------------------------
    def _watch(self) -> None:
        ready_at = time.monotonic()
        fast_crashes = 0
        while not self._stopping.is_set():
            process = self._aws.process
            code = process.wait()
            if self._stopping.is_set():
                return
            exited_at = time.monotonic()
            self.last_exit = describe_exit(code)
            self._set_state("restarting", up=False)
            fast_crashes = fast_crashes + 1 if exited_at - ready_at < FAST_CRASH_S else 1
            _LOG.warning(
                "the embedded AWS endpoint (pid %d) exited: %s; restarting it on the same data dir and port",
                process.pid,
                self.last_exit,
            )
            while True:
                if self._stopping.is_set():
                    return
                if fast_crashes > FAST_CRASHES:
                    self._give_up(fast_crashes)
                    return
                pause = BACKOFF_S[min(fast_crashes - 1, len(BACKOFF_S) - 1)]
                if pause and self._stopping.wait(pause):
                    return
                try:
                    self._aws.relaunch().wait_until_ready()
                except UserError as exc:
                    self.last_exit = "failed to start"
                    _LOG.error("%s (restart %d)", exc, fast_crashes)
                    fast_crashes += 1
                    continue
                break
            ready_at = time.monotonic()
            self.restarts += 1
            self._set_up()
            _LOG.info(
                "the embedded AWS endpoint is back (pid %d, %.2f s after it exited), on the same port "
                "with every acknowledged write",
                self._aws.pid,
                ready_at - exited_at,
            )

    def _give_up(self, crashes: int) -> None:
        self.gave_up = True
        self._set_state("failed", up=False)
        _LOG.error(
            "the embedded AWS endpoint stopped %d times in a row within %.0f s of starting (last: %s); "
            "giving up. The lines above say why; fix that and start serve again",
            crashes,
            FAST_CRASH_S,
            self.last_exit,
        )
        self._on_give_up()

    def _set_up(self) -> None:
        self._set_state("up", up=True)

    def _set_state(self, state: str, *, up: bool) -> None:
        with self._lock:
            self.state = state
            if up:
                self._up.set()
            else:
                self._up.clear()
            waiters = [] if not up and state in ("restarting", "starting") else list(self._waiters)
            if waiters:
                self._waiters.clear()
        for loop, future in waiters:  # up: go on; failed or stopped: answer 503 now
            loop.call_soon_threadsafe(_resolve, future, up)


def _resolve(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():
        future.set_result(value)
