"""Fixtures for the Lambda runtime tests: real worker processes, handlers from ../handlers."""

from __future__ import annotations

import asyncio
import io
import logging
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest

from emulator.lambda_runtime import FunctionConfig, InvocationResult, ProcessLambdaRuntime
from emulator.log import LAMBDA
from tests.emulator.fixtures import HANDLERS


def function(name: str, handler: str, **options: Any) -> FunctionConfig:
    options.setdefault("code_dir", HANDLERS)
    return FunctionConfig(name=name, handler=handler, **options)


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """The functions' log stream (the ``emulator.lambda`` logger) while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger(LAMBDA)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture
def start_runtime(log: io.StringIO) -> Iterator[Callable[..., ProcessLambdaRuntime]]:
    """Start a runtime (its log in ``log``, hot reload off unless asked); closed afterwards."""
    runtimes: list[ProcessLambdaRuntime] = []

    def start(*functions: FunctionConfig, **options: Any) -> ProcessLambdaRuntime:
        options.setdefault("hot_reload", False)
        runtime = ProcessLambdaRuntime(functions, **options)
        runtimes.append(runtime)
        return runtime

    yield start
    for runtime in runtimes:
        runtime.close()


Submit = Callable[..., "Future[InvocationResult]"]


@pytest.fixture
def submit() -> Iterator[Submit]:
    """``submit(runtime, name, event, **options)``: start an invocation from an event loop on a
    thread of its own, as the gateway's server does, and return at once; the future resolves
    with the result when the function ends. Invocations submitted together are in flight at once.
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-caller-loop", daemon=True)
    thread.start()

    def submit(
        runtime: ProcessLambdaRuntime, function_name: str, event: dict[str, Any], **options: Any
    ) -> Future[InvocationResult]:
        async def call() -> InvocationResult:
            return (await runtime.call_async(function_name, event, **options)).result()

        return asyncio.run_coroutine_threadsafe(call(), loop)

    yield submit
    loop.call_soon_threadsafe(loop.stop)
    thread.join(30)
    loop.close()


class Gate:
    """A Unix socket the ``gated`` handler connects to and waits on until released."""

    def __init__(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="gate")  # short path: AF_UNIX allows ~100 bytes
        self.path = f"{self._dir}/gate.sock"
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(16)
        self._server.settimeout(20)
        self._held: list[tuple[socket.socket, int]] = []

    def wait_for_handler(self) -> int:
        """Block until a handler is running (it connected); its worker's pid."""
        connection, _ = self._server.accept()
        connection.settimeout(20)
        pid = int(connection.makefile().readline())
        self._held.append((connection, pid))
        return pid

    def release_one(self) -> int:
        connection, pid = self._held.pop(0)
        connection.sendall(b"x")
        connection.close()
        return pid

    def close(self) -> None:
        for connection, _ in self._held:
            connection.close()
        self._server.close()
        shutil.rmtree(self._dir, ignore_errors=True)


@pytest.fixture
def gate() -> Iterator[Gate]:
    g = Gate()
    yield g
    g.close()
