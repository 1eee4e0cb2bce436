"""``ProcessLambdaRuntime``: Lambda's execution model with a process per environment, no Docker.

Each function gets warm worker processes (:mod:`.worker`) that import the handler once and
serve one invocation at a time, scaled out up to the function's concurrency limit
(:mod:`.pool`); code changes replace them (:mod:`.reload`). Whatever a handler does (raise,
exit, segfault, hang) costs at most its own worker: the runtime and later requests are unaffected.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

from emulator import log
from emulator.clock import EmulatorClock
from emulator.lambda_runtime.api import FunctionConfig, InvocationError, InvocationResult
from emulator.lambda_runtime.invocation import Invocation, encode_event, failure, new_request_id, resolve
from emulator.lambda_runtime.limits import (
    MAX_REQUEST_BYTES,
    REQUEST_TOO_LARGE_MESSAGE,
    REQUEST_TOO_LARGE_TYPE,
)
from emulator.lambda_runtime.pool import FunctionPool, PoolClosed
from emulator.lambda_runtime.reload import CodeWatcher, reload_line
from emulator.lambda_runtime.stats import FunctionStats
from emulator.lambda_runtime.traces import InvocationTrace
from emulator.lambda_runtime.worker import Worker

_RELOAD_LOG = logging.getLogger(log.ROOT + ".reload")


class UnknownFunctionError(LookupError):
    """No function of that name was given to the runtime (Lambda's ResourceNotFoundException)."""


class ProcessLambdaRuntime:
    """Implements :class:`emulator.lambda_runtime.api.LambdaRuntime`; thread-safe."""

    def __init__(
        self,
        functions: Iterable[FunctionConfig],
        *,
        max_workers: int = 10,
        throttle_wait_s: float = 1.0,
        queue_wait_s: float | None = None,
        hot_reload: bool = True,
        python: str = sys.executable,
        reload_interval_s: float = 0.5,
        clock: EmulatorClock | None = None,
        count_invocations: bool = False,
    ) -> None:
        """``clock``: the emulator clock whose offset the functions' time follows (none: real time).
        ``count_invocations``: keep each function's counters and recent durations (:meth:`stats`)."""
        functions = list(functions)
        self._python = python
        self._clock = clock
        # How long a request waits for a free worker. At ReservedConcurrentExecutions this is
        # Lambda's own throttle (short: AWS answers 429 at once, API Gateway turns it into 500).
        # At --max-workers it is only the emulator's resource cap, which AWS does not have
        # (unreserved functions scale to the account's 1,000): there a burst queues longer
        # (queue_wait_s, default = throttle_wait_s) before it is answered like a throttle.
        self._wait_s = {
            config.name: throttle_wait_s
            if config.reserved_concurrency is not None or queue_wait_s is None
            else queue_wait_s
            for config in functions
        }
        self._pools: dict[str, FunctionPool] = {}
        for config in functions:
            if config.name in self._pools:
                raise ValueError(f"two functions are named {config.name!r}")
            limit = max_workers if config.reserved_concurrency is None else config.reserved_concurrency
            self._pools[config.name] = FunctionPool(
                config,
                limit=limit,
                spawn=self._spawn,
                dispatch=self._dispatch,
                stats=FunctionStats() if count_invocations else None,
            )
        # Threads that start a worker process or wait for a free one when a function is at its
        # limit (the hot path never uses them); reused, so no thread is created per request.
        waiters = max(4, min(64, sum(pool.limit for pool in self._pools.values())))
        self._waiters = ThreadPoolExecutor(max_workers=waiters, thread_name_prefix="lambda-dispatch")
        self._reloaded = threading.Condition()
        self._closed = False
        self._watcher: CodeWatcher | None = None
        if hot_reload:
            code_dirs = [pool.config.code_dir.resolve() for pool in self._pools.values()]
            self._watcher = CodeWatcher(code_dirs, self._code_changed, interval_s=reload_interval_s)
            self._watcher.start()

    # -- LambdaRuntime ---------------------------------------------------------------------------

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
        future is done unless that passed (the function then runs on to its own Timeout).
        ``trace`` keeps the event, the raw result and the log text (the dashboard's).

        On a warm idle worker the loop itself writes the request and waits for the answer on
        the worker's pipe: no thread hand-off at all (the shim's hot path). Anything that may
        block -- starting a worker process (a cold start), waiting for one at the concurrency
        limit -- runs on a thread of :attr:`_waiters`, the worker's own thread reads the
        answer, and the loop awaits the future.
        """
        if self._closed:
            raise RuntimeError("the Lambda runtime is closed")
        pool = self._pool(function_name)
        invocation = self._invocation(pool, event, request_id, trace)
        future = invocation.future
        if len(invocation.event) > MAX_REQUEST_BYTES:  # Lambda refuses it before any function runs
            resolve(
                invocation,
                failure(
                    invocation.request_id,
                    "RequestTooLarge",
                    REQUEST_TOO_LARGE_TYPE,
                    REQUEST_TOO_LARGE_MESSAGE,
                ),
            )
            return future
        worker = pool.try_acquire_idle()
        if worker is not None and worker.invoke(invocation, asyncio.get_running_loop()):
            if invocation.on_loop:
                await worker.read_on_loop(invocation, wait_s)
                return future
        elif not future.done():
            self._dispatch(pool, invocation)
        if not future.done():
            # asyncio.wait, not wait_for: giving up must not cancel the invocation's future.
            await asyncio.wait([asyncio.wrap_future(future)], timeout=wait_s)
        return future

    def invoke(
        self, function_name: str, event: Mapping[str, Any], *, request_id: str | None = None
    ) -> InvocationResult:
        """:meth:`call_async` for a blocking caller (``invoke``, provisioning, a test): it runs on a
        private event loop of this thread, until the function ends."""
        return asyncio.run(self.call_async(function_name, event, request_id=request_id)).result()

    def prewarm(self, function_name: str) -> None:
        """Start an execution environment of the function now (its cold start runs meanwhile)."""
        if self._closed:
            raise RuntimeError("the Lambda runtime is closed")
        self._pool(function_name).prewarm()

    def init_error(self, function_name: str) -> InvocationError | None:
        """Why the function cannot start (its INIT failed), or None: waits for one worker's INIT,
        started now if the function has none (it then stays warm for the first request)."""
        if self._closed:
            return None
        worker = self._pool(function_name).first_worker()
        if worker is None:  # no worker may run (reserved concurrency 0), or closed meanwhile
            return None
        worker.init_done.wait()  # bounded: INIT times out after max(10 s, Timeout), as on Lambda
        return None if self._closed else worker.init_error

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Kill every worker and reap it; pending invocations end as Crashed."""
        if self._closed:
            return
        self._closed = True
        if self._watcher is not None:
            self._watcher.stop()
        for pool in self._pools.values():
            pool.close()
        self._waiters.shutdown(wait=True)

    def __enter__(self) -> ProcessLambdaRuntime:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- hot reload ------------------------------------------------------------------------------

    def reload(self, function_name: str | None = None) -> None:
        """Replace the workers of one function (or all): the next request imports the code anew."""
        pools = self._pools.values() if function_name is None else [self._pool(function_name)]
        with self._reloaded:
            for pool in pools:
                pool.reload()
            self._reloaded.notify_all()

    def code_generation(self, function_name: str) -> int:
        """How many times the function's code was reloaded (0 at start)."""
        return self._pool(function_name).generation

    def wait_for_reload(self, function_name: str, after_generation: int, timeout: float) -> bool:
        """Wait until the function was reloaded past ``after_generation``; False on timeout."""
        pool = self._pool(function_name)
        with self._reloaded:
            return self._reloaded.wait_for(lambda: pool.generation > after_generation, timeout)

    def _code_changed(self, code_dir: Path, changed: list[str]) -> None:
        started = time.perf_counter()
        reloaded = []
        with self._reloaded:
            for pool in self._pools.values():
                if pool.config.code_dir.resolve() == code_dir:
                    pool.reload()
                    reloaded.append(pool.config.name)
            if reloaded:  # said before the waiters wake: wait_for_reload returns after the line
                took_s = time.perf_counter() - started
                _RELOAD_LOG.info("%s", reload_line(code_dir, changed, reloaded, took_s))
            self._reloaded.notify_all()

    # -- introspection (tests, the gateway's health page) ----------------------------------------

    @property
    def function_names(self) -> list[str]:
        return list(self._pools)

    def worker_pids(self, function_name: str | None = None) -> list[int]:
        pools = self._pools.values() if function_name is None else [self._pool(function_name)]
        return [pid for pool in pools for pid in pool.worker_pids()]

    def workers(self, function_name: str) -> dict[str, int]:
        """The function's execution environments now: ``warm``, ``busy``, ``starting``, ``limit``."""
        return self._pool(function_name).occupancy()

    def stats(self, function_name: str) -> dict[str, Any] | None:
        """Its invocations, errors, throttles and p50/p99 durations since start (None: not counted)."""
        stats = self._pool(function_name).stats
        return None if stats is None else stats.snapshot()

    # -- internals -------------------------------------------------------------------------------

    def _invocation(
        self,
        pool: FunctionPool,
        event: Mapping[str, Any],
        request_id: str | None,
        trace: InvocationTrace | None = None,
    ) -> Invocation:
        future: Future[InvocationResult] = Future()
        future.set_running_or_notify_cancel()  # it cannot be cancelled: the function runs on
        request_id = request_id or new_request_id()
        encoded = encode_event(event)
        if trace is not None:
            trace.request_id, trace.event = request_id, encoded
        return Invocation(
            request_id,
            encoded,
            future,
            wait_deadline=time.monotonic() + self._wait_s[pool.config.name],
            trace=trace,
            stats=pool.stats,
        )

    def _pool(self, function_name: str) -> FunctionPool:
        try:
            return self._pools[function_name]
        except KeyError:
            raise UnknownFunctionError(f"Function not found: {function_name}") from None

    def _spawn(self, pool: FunctionPool, generation: int) -> Worker:
        return Worker(pool.config, python=self._python, owner=pool, generation=generation, clock=self._clock)

    def _dispatch(self, pool: FunctionPool, invocation: Invocation) -> None:
        """Start ``invocation`` on a thread of :attr:`_waiters`: it may start a worker process or
        wait for one, neither of which an event loop may do."""
        try:
            self._waiters.submit(self._invoke_when_free, pool, invocation)
        except RuntimeError:  # close() ran meanwhile
            resolve(invocation, _not_started(invocation, PoolClosed(pool.config.name)))

    def _invoke_when_free(self, pool: FunctionPool, invocation: Invocation) -> None:
        """A warm or new worker, else the first one free before the invocation's wait deadline."""
        while True:
            try:
                worker = pool.acquire(invocation.wait_deadline)
            except Exception as exc:  # spawning failed or the runtime closed meanwhile
                resolve(invocation, _not_started(invocation, exc))
                return
            if worker is None or worker.invoke(invocation):
                break
        if worker is None:
            # Lambda answers a throttled synchronous invoke with 429 TooManyRequestsException.
            reason = (
                "ConcurrentInvocationLimitExceeded"
                if pool.config.reserved_concurrency is None
                else "ReservedFunctionConcurrentInvocationLimitExceeded"
            )
            resolve(
                invocation,
                failure(
                    invocation.request_id,
                    "Throttled",
                    "TooManyRequestsException",
                    f"Rate Exceeded. ({reason})",
                ),
            )
            return


def _not_started(invocation: Invocation, exc: Exception) -> InvocationResult:
    if isinstance(exc, PoolClosed):
        return failure(invocation.request_id, "Crashed", "Runtime.ExitError", "the Lambda runtime is closed")
    # The interpreter or the code directory cannot be used: Lambda's Runtime.InvalidEntrypoint.
    return failure(
        invocation.request_id, "InitError", "Runtime.InvalidEntrypoint", f"cannot start the runtime: {exc}"
    )
