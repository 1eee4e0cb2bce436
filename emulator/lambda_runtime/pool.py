"""A function's execution environments and its concurrency limit.

Lambda runs one invocation at a time per execution environment and scales out by creating more
environments, up to the function's reserved concurrency (``ReservedConcurrentExecutions``) or
the account limit. Beyond that a synchronous invoke is throttled (429
TooManyRequestsException). Here the limit is ``reserved_concurrency`` or the runtime's
``max_workers``, and a request over the limit waits up to ``throttle_wait_s`` for a worker to
free up before it is throttled, which smooths out a burst the way a client retry would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from emulator.lambda_runtime.api import FunctionConfig
from emulator.lambda_runtime.invocation import Invocation
from emulator.lambda_runtime.stats import FunctionStats
from emulator.lambda_runtime.worker import Worker

SpawnWorker = Callable[["FunctionPool", int], Worker]
Dispatch = Callable[["FunctionPool", Invocation], None]


class PoolClosed(Exception):
    """The runtime was closed while a request waited for a worker."""


class FunctionPool:
    """Warm workers of one function: idle ones reused last-in first-out (the warmest)."""

    def __init__(
        self,
        config: FunctionConfig,
        *,
        limit: int,
        spawn: SpawnWorker,
        dispatch: Dispatch,
        stats: FunctionStats | None = None,
    ) -> None:
        self.config = config
        self.limit = limit
        self.stats = stats  # its invocations' outcomes since start, when counted (the dashboard's)
        self._spawn = spawn
        self._dispatch = dispatch
        self._condition = threading.Condition()
        self._idle: list[Worker] = []
        self._workers: set[Worker] = set()
        self._reserved = 0  # workers being spawned, counted against the limit
        self._gone_early: set[Worker] = set()  # discarded before _start_worker registered them
        self._generation = 0
        self._closed = False

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def worker_count(self) -> int:
        with self._condition:
            return len(self._workers)

    def worker_pids(self) -> list[int]:
        with self._condition:
            return [worker.pid for worker in self._workers]

    def occupancy(self) -> dict[str, int]:
        """Its execution environments now: warm (alive), busy (in an invocation), starting."""
        with self._condition:
            warm, idle = len(self._workers), len(self._idle)
            return {"warm": warm, "busy": warm - idle, "starting": self._reserved, "limit": self.limit}

    def try_acquire_idle(self) -> Worker | None:
        """A warm idle worker, or None: never starts one (that would block an event loop)."""
        with self._condition:
            if self._idle and not self._closed:
                return self._idle.pop()
            return None

    def prewarm(self) -> Worker | None:
        """Start one execution environment now, if the function has none; its INIT runs meanwhile.

        Like provisioned concurrency: the environment is initialised before any request needs
        it (``serve`` does this for a function it is about to call at start-up). It is idle at
        once: a request that takes it before INIT has ended waits for INIT, as a cold one would.
        """
        with self._condition:
            if self._closed or self._workers or self._reserved or self.limit < 1:
                return None
            self._reserved += 1
            generation = self._generation
        worker = self._start_worker(generation)
        self.release(worker)
        return worker

    def first_worker(self) -> Worker | None:
        """A worker of the function (to watch its INIT), started now if it has none."""
        with self._condition:
            worker = next(iter(self._workers), None)
        return worker if worker is not None else self.prewarm()

    def acquire(self, deadline: float) -> Worker | None:
        """A warm idle worker, or a new one if under the limit; at the limit, the first one free
        before ``deadline`` (monotonic), else None. Blocks: never on an event loop."""
        with self._condition:
            while True:
                if self._closed:
                    raise PoolClosed(self.config.name)
                if self._idle:
                    return self._idle.pop()
                if len(self._workers) + self._reserved < self.limit:
                    self._reserved += 1
                    generation = self._generation
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._condition.wait(remaining)
        return self._start_worker(generation)

    def _start_worker(self, generation: int) -> Worker:
        try:
            worker = self._spawn(self, generation)
        except BaseException:
            with self._condition:
                self._reserved -= 1
                self._condition.notify()
            raise
        with self._condition:
            self._reserved -= 1
            if worker in self._gone_early:  # its INIT already failed: do not count it
                self._gone_early.discard(worker)
            else:
                self._workers.add(worker)
            worker.registered = True
            closed = self._closed
        if closed:  # close() ran while it started: it must not outlive the runtime
            self.discard(worker)
            worker.stop()
        return worker

    def release(self, worker: Worker) -> None:
        """An invocation finished and the worker survived it."""
        with self._condition:
            retire = self._closed or worker.generation != self._generation or worker.stopped
            if retire:
                self._workers.discard(worker)
            else:
                self._idle.append(worker)
            self._condition.notify()
        if retire:  # hot reload happened while it was busy: the next request gets new code
            worker.stop()

    def discard(self, worker: Worker) -> None:
        """The worker is gone (crashed, timed out, failed INIT or stopped)."""
        with self._condition:
            if worker in self._workers:
                self._workers.discard(worker)
                if worker in self._idle:
                    self._idle.remove(worker)
                self._condition.notify()
            elif not self._closed and not worker.registered:
                self._gone_early.add(worker)

    def redispatch(self, invocation: Invocation) -> None:
        """Run an invocation that its worker could not take (it had just died) on another."""
        self._dispatch(self, invocation)

    def reload(self) -> None:
        """New code: stop idle workers now, busy ones when their invocation ends."""
        with self._condition:
            self._generation += 1
            idle, self._idle = self._idle, []
            for worker in idle:
                self._workers.discard(worker)
            self._condition.notify_all()
        for worker in idle:
            worker.stop()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
            self._idle.clear()
            self._condition.notify_all()
        for worker in workers:
            worker.stop()
