"""GatewayServer in this process with a stand-in gateway: what the server itself owes a client."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

from emulator.apigateway.proxy_response import GatewayResponse
from emulator.apigateway.request import GatewayRequest
from emulator.apigateway.server import GatewayServer
from tests.emulator.gateway.conftest import server_in_this_process


class PathGateway:
    """Answers every request with its own path: enough to see the server's behaviour."""

    def __init__(self) -> None:
        self.given_the_running_loop: list[bool] = []

    async def handle(
        self, request: GatewayRequest, *, loop: asyncio.AbstractEventLoop | None = None
    ) -> GatewayResponse:
        self.given_the_running_loop.append(loop is asyncio.get_running_loop())
        return GatewayResponse(200, [("Content-Type", "text/plain")], request.path.encode())

    def payload_too_large(self, request: GatewayRequest) -> GatewayResponse:
        return GatewayResponse(413, [], b"too large")


@pytest.fixture
def gateway() -> PathGateway:
    return PathGateway()


@pytest.fixture
def server(gateway: PathGateway) -> Iterator[GatewayServer]:
    with server_in_this_process(gateway, idle_timeout_s=0.4) as server:
        yield server


def _get(sock: socket.socket, path: str) -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while not data.endswith(path.encode()):
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection before answering"
        data += chunk
    return data


def test_an_idle_keep_alive_connection_is_closed(server: GatewayServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        assert b"HTTP/1.1 200 OK" in _get(sock, "/first")
        assert sock.recv(1) == b""  # blocks until the server closes it, idle past 0.4 s


def test_a_connection_hands_the_gateway_its_event_loop(server: GatewayServer, gateway: PathGateway) -> None:
    # The gateway then need not ask asyncio for it (a getpid() system call) to keep the
    # dashboard's record once the answer is on its way.
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        for path in ("/one", "/two"):
            assert path.encode() in _get(sock, path)
    # The server's own readiness probe was answered too.
    assert len(gateway.given_the_running_loop) >= 2
    assert all(gateway.given_the_running_loop)


def test_stop_ends_serve_forever_with_a_connection_open(server: GatewayServer) -> None:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    try:
        assert b"/open" in _get(sock, "/open")
        server.stop()  # the fixture then checks that serve_forever returned
        assert sock.recv(1) == b""
    finally:
        sock.close()
