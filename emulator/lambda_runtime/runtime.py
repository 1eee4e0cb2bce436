"""``ProcessLambdaRuntime``: Lambda's execution model with a process per environment, no Docker.

Each function gets warm worker processes (:mod:`.worker`) that import the handler once and
serve one invocation at a time, scaled out up to the function's concurrency limit
(:mod:`.pool`); code changes replace them (:mod:`.reload`). Whatever a handler does (raise,
exit, segfault, hang) costs at most its own worker: the runtime and later requests are unaffected.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from emulator.lambda_runtime.api import FunctionConfig, InvocationResult
from emulator.lambda_runtime.invocation import Invocation, encode_event, failure, new_request_id
from emulator.lambda_runtime.logs import LogSink
from emulator.lambda_runtime.pool import FunctionPool, PoolClosed
from emulator.lambda_runtime.reload import CodeWatcher
from emulator.lambda_runtime.worker import Worker


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
        log: TextIO = sys.stderr,
        reload_interval_s: float = 0.5,
    ) -> None:
        functions = list(functions)
        self._python = python
        self._sink = LogSink(log)
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
                config, limit=limit, spawn=self._spawn, dispatch=self._dispatch
            )
        # Threads that wait for a free worker when a function is at its limit (the fast path
        # never uses them); reused, so no thread is created per request.
        waiters = max(4, min(64, sum(pool.limit for pool in self._pools.values())))
        self._waiters = ThreadPoolExecutor(max_workers=waiters, thread_name_prefix="lambda-throttle-wait")
        self._reloaded = threading.Condition()
        self._closed = False
        self._watcher: CodeWatcher | None = None
        if hot_reload:
            code_dirs = [pool.config.code_dir.resolve() for pool in self._pools.values()]
            self._watcher = CodeWatcher(code_dirs, self._code_changed, interval_s=reload_interval_s)
            self._watcher.start()

    # -- LambdaRuntime ---------------------------------------------------------------------------

    def submit(
        self, function_name: str, event: Mapping[str, Any], *, request_id: str | None = None
    ) -> Future[InvocationResult]:
        """Start an invocation; the Future resolves when it ends (result, error, timeout...)."""
        if self._closed:
            raise RuntimeError("the Lambda runtime is closed")
        pool = self._pool(function_name)
        invocation = self._invocation(function_name, event, request_id, direct=False)
        self._dispatch(pool, invocation)
        return invocation.future

    def invoke(
        self, function_name: str, event: Mapping[str, Any], *, request_id: str | None = None
    ) -> InvocationResult:
        return self.call(function_name, event, request_id=request_id).result()

    def call(
        self,
        function_name: str,
        event: Mapping[str, Any],
        *,
        wait_s: float | None = None,
        request_id: str | None = None,
    ) -> Future[InvocationResult]:
        """Invoke and wait on this thread, at most ``wait_s``: the future is done unless that passed.

        The fast path for a caller that waits anyway (the gateway, :meth:`invoke`): on a warm
        worker this thread writes the request and reads the answer itself, with no hand-off to
        another thread. If ``wait_s`` passes first, the function runs on to its own Timeout
        (API Gateway's 29 s integration timeout vs a longer function Timeout) and the future
        resolves then.
        """
        if self._closed:
            raise RuntimeError("the Lambda runtime is closed")
        pool = self._pool(function_name)
        invocation = self._invocation(function_name, event, request_id, direct=True)
        future = invocation.future
        self._dispatch(pool, invocation)
        if invocation.reader is not None:
            invocation.reader.read_for_caller(invocation, wait_s)
        elif wait_s is not None:
            with contextlib.suppress(FutureTimeout):
                future.result(timeout=wait_s)
        return future

    async def call_async(
        self,
        function_name: str,
        event: Mapping[str, Any],
        *,
        wait_s: float | None = None,
        request_id: str | None = None,
    ) -> Future[InvocationResult]:
        """:meth:`call` for a caller on an asyncio loop: the same, awaiting instead of blocking.

        On a warm idle worker the loop itself writes the request and waits for the answer on
        the worker's pipe: no thread hand-off at all (the shim's hot path). Anything that may
        block -- starting a worker process (a cold start), waiting for one at the concurrency
        limit -- runs off the loop, as for :meth:`submit`, and the future is awaited. After
        ``wait_s`` the function runs on to its own Timeout, as for :meth:`call`.
        """
        if self._closed:
            raise RuntimeError("the Lambda runtime is closed")
        pool = self._pool(function_name)
        invocation = self._invocation(function_name, event, request_id, direct=True)
        future = invocation.future
        worker = pool.try_acquire_idle()
        if worker is not None and worker.invoke(invocation):
            if invocation.reader is not None:
                await invocation.reader.read_for_caller_async(invocation, wait_s)
                return future
        elif not future.done():
            invocation.direct = False  # read by the worker's own thread
            try:
                self._waiters.submit(self._dispatch, pool, invocation)
            except RuntimeError:  # close() ran meanwhile
                _resolve(invocation, _not_started(invocation, PoolClosed(pool.config.name)))
        if not future.done():
            # asyncio.wait, not wait_for: giving up must not cancel the invocation's future.
            await asyncio.wait([asyncio.wrap_future(future)], timeout=wait_s)
        return future

    def prewarm(self, function_name: str) -> None:
        """Start an execution environment of the function now (its cold start runs meanwhile)."""
        if self._closed:
            raise RuntimeError("the Lambda runtime is closed")
        self._pool(function_name).prewarm()

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

    def _code_changed(self, code_dir: Path) -> None:
        with self._reloaded:
            for pool in self._pools.values():
                if pool.config.code_dir.resolve() == code_dir:
                    pool.reload()
            self._reloaded.notify_all()

    # -- introspection (tests, the gateway's health page) ----------------------------------------

    @property
    def function_names(self) -> list[str]:
        return list(self._pools)

    def worker_pids(self, function_name: str | None = None) -> list[int]:
        pools = self._pools.values() if function_name is None else [self._pool(function_name)]
        return [pid for pool in pools for pid in pool.worker_pids()]

    # -- internals -------------------------------------------------------------------------------

    def _invocation(
        self, function_name: str, event: Mapping[str, Any], request_id: str | None, *, direct: bool
    ) -> Invocation:
        future: Future[InvocationResult] = Future()
        future.set_running_or_notify_cancel()  # it cannot be cancelled: the function runs on
        return Invocation(
            request_id or new_request_id(),
            encode_event(event),
            future,
            wait_deadline=time.monotonic() + self._wait_s[function_name],
            direct=direct,
        )

    def _pool(self, function_name: str) -> FunctionPool:
        try:
            return self._pools[function_name]
        except KeyError:
            raise UnknownFunctionError(f"Function not found: {function_name}") from None

    def _spawn(self, pool: FunctionPool, generation: int) -> Worker:
        return Worker(pool.config, python=self._python, sink=self._sink, owner=pool, generation=generation)

    def _dispatch(self, pool: FunctionPool, invocation: Invocation) -> None:
        """Start ``invocation`` on a warm or new worker, or queue it to wait for one."""
        while True:
            try:
                worker = pool.try_acquire()
            except Exception as exc:  # spawning failed or the runtime closed meanwhile
                _resolve(invocation, _not_started(invocation, exc))
                return
            if worker is None:  # at the concurrency limit: wait off the caller's thread
                invocation.direct = False  # so its worker's thread reads the answer
                try:
                    self._waiters.submit(self._invoke_when_free, pool, invocation)
                except RuntimeError:  # close() ran meanwhile
                    _resolve(invocation, _not_started(invocation, PoolClosed(pool.config.name)))
                return
            if worker.invoke(invocation):
                return

    def _invoke_when_free(self, pool: FunctionPool, invocation: Invocation) -> None:
        while True:
            try:
                worker = pool.acquire(invocation.wait_deadline)
            except Exception as exc:
                _resolve(invocation, _not_started(invocation, exc))
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
            _resolve(
                invocation,
                failure(
                    invocation.request_id,
                    "Throttled",
                    "TooManyRequestsException",
                    f"Rate Exceeded. ({reason})",
                ),
            )
            return


def _resolve(invocation: Invocation, result: InvocationResult) -> None:
    if not invocation.future.done():
        invocation.future.set_result(result)


def _not_started(invocation: Invocation, exc: Exception) -> InvocationResult:
    if isinstance(exc, PoolClosed):
        return failure(invocation.request_id, "Crashed", "Runtime.ExitError", "the Lambda runtime is closed")
    # The interpreter or the code directory cannot be used: Lambda's Runtime.InvalidEntrypoint.
    return failure(
        invocation.request_id, "InitError", "Runtime.InvalidEntrypoint", f"cannot start the runtime: {exc}"
    )
