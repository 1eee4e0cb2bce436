"""GatewayServer in this process with a stand-in gateway: what the server itself owes a client."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from emulator.apigateway.proxy_response import GatewayResponse
from emulator.apigateway.request import GatewayRequest
from emulator.apigateway.server import GatewayServer
from tests.emulator.gateway.conftest import server_in_this_process


class PathGateway:
    """Answers every request with its own path: enough to see the server's behaviour."""

    async def handle(self, request: GatewayRequest) -> GatewayResponse:
        return GatewayResponse(200, [("Content-Type", "text/plain")], request.path.encode())

    def payload_too_large(self, request: GatewayRequest) -> GatewayResponse:
        return GatewayResponse(413, [], b"too large")


@pytest.fixture
def server() -> Iterator[GatewayServer]:
    with server_in_this_process(PathGateway(), idle_timeout_s=0.4) as server:
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


def test_stop_ends_serve_forever_with_a_connection_open(server: GatewayServer) -> None:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    try:
        assert b"/open" in _get(sock, "/open")
        server.stop()  # the fixture then checks that serve_forever returned
        assert sock.recv(1) == b""
    finally:
        sock.close()
