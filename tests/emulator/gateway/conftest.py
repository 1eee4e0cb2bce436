"""The shim under test: ``python -m emulator serve --port 0`` on the test app, one per module.

``shim`` is parametrised over both HTTP fronts of the one gateway core: the asyncio server (the
default) and the Flask app on Werkzeug's threaded server (``--server flask``). Every test that
uses it is the gateway's conformance suite, run on each front; the tests of the asyncio server's
own HTTP handling (pipelining, ``Expect: 100-continue``, head limits...) use
:func:`server_in_this_process` instead.
"""

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


FRONTS = ("asyncio", "flask")


@dataclass
class Shim:
    front: str  # serve --server FRONT
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


@pytest.fixture(scope="module", params=FRONTS)
def shim(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shim]:
    front = request.param
    log = tmp_path_factory.mktemp(f"gateway-{front}") / "stderr.log"
    # A short integration timeout, so that a test reaches the 504 in seconds.
    argv = serve_argv(
        "--port",
        "0",
        "--template",
        str(TEMPLATE),
        "--no-reload",
        "--integration-timeout",
        "4",
        "--server",
        front,
    )
    with run_serve(argv, log_path=log, cwd=ROOT) as serve:
        yield Shim(front, serve.root_url, serve.pid, log, serve.banner.splitlines())


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
