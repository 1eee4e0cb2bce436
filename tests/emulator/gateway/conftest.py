"""The shim under test: ``python -m emulator serve --port 0`` on the test app, one per module."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from emulator.apigateway.api import Gateway
from emulator.apigateway.server import IDLE_TIMEOUT_S, GatewayServer
from emulator.launcher import run_serve, serve_argv
from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = template("gateway_app")


@dataclass
class Shim:
    url: str
    pid: int
    log: Path
    banner: list[str]  # what serve printed before its Ready line

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]

    def request(self, method: str, path: str, **kwargs: object) -> requests.Response:
        return requests.request(method, self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shim]:
    log = tmp_path_factory.mktemp("gateway") / "stderr.log"
    # A short integration timeout, so that a test reaches the 504 in seconds.
    argv = serve_argv("--port", "0", "--template", str(TEMPLATE), "--no-reload", "--integration-timeout", "4")
    with run_serve(argv, log_path=log, cwd=ROOT) as serve:
        yield Shim(serve.root_url, serve.pid, log, serve.banner.splitlines())


@contextlib.contextmanager
def server_in_this_process(
    gateway: Gateway, *, idle_timeout_s: float = IDLE_TIMEOUT_S, **options: float
) -> Iterator[GatewayServer]:
    """A GatewayServer serving ``gateway`` (a stand-in) on a thread of this process: the HTTP
    server's own behaviour, with no template, worker or AWS endpoint. ``options``: the server's
    other timeouts."""
    server = GatewayServer("127.0.0.1", 0, idle_timeout_s=idle_timeout_s, **options)
    ready = threading.Event()
    thread = threading.Thread(target=server.serve_forever, args=(gateway,), kwargs={"on_ready": ready.set})
    thread.start()
    try:
        assert ready.wait(30), "the server never answered its first request"
        yield server
    finally:
        server.stop()
        thread.join(30)
    assert not thread.is_alive()
