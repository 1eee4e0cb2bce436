"""Slow clients cannot hold a connection forever: deadlines for the whole request head and body
(408), a log line when accept fails for lack of descriptors, the soft descriptor limit raised.

The deadline tests run the server in this process with a stand-in gateway and short deadlines;
the slow client sends a byte now and then, which used to reset the only (idle) timer.
"""

from __future__ import annotations

import json
import resource
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from emulator.apigateway.server import GatewayServer
from emulator.launcher import serve_argv
from tests.emulator.fixtures import template
from tests.emulator.gateway.conftest import server_in_this_process
from tests.emulator.gateway.test_server import PathGateway
from tests.waiting import until

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def server() -> Iterator[GatewayServer]:
    gateway = PathGateway()
    with server_in_this_process(gateway, idle_timeout_s=60, head_timeout_s=0.5, body_timeout_s=0.5) as server:
        yield server


def _trickle(sock: socket.socket, data: bytes) -> bytes:
    """Send ``data`` a byte at a time, a byte every 50 ms, until the server answers or closes."""
    sock.settimeout(0.05)  # the pace of the trickle: each read waits this long for an answer
    answer = b""
    deadline = time.monotonic() + 60
    for byte in data:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            sock.sendall(bytes([byte]))
            assert time.monotonic() < deadline, "the server never answered the slow client"
            continue
        answer += chunk
        break
    sock.settimeout(30)
    while chunk := sock.recv(65536):
        answer += chunk
    return answer


def test_a_request_head_sent_a_byte_at_a_time_gets_408(server: GatewayServer) -> None:
    head = b"GET /slow HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"s" * 100_000
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        answer = _trickle(sock, head)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert b"Connection: close\r\n" in answer
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1]) == {"message": "Request Timeout"}


def test_a_body_sent_a_byte_at_a_time_gets_408(server: GatewayServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        answer = _trickle(sock, b"b" * 100_000)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")


def test_the_server_raises_its_soft_descriptor_limit_and_says_when_accept_fails(tmp_path: Path) -> None:
    """serve under a low hard limit (64) and a lower soft one (48): it raises the soft one to
    the hard one at start; clients past what it can hold wait, and the log says why."""
    soft, hard = 48, 64
    log_path = tmp_path / "serve.log"
    argv = serve_argv("--port", "0", "--template", str(template("basic")), "--no-reload")
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
            start_new_session=True,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard)),
        )
    clients: list[socket.socket] = []
    try:
        assert process.stdout is not None
        url = next(line for line in process.stdout if line.startswith("Ready on ")).split()[-1]
        limits = Path(f"/proc/{process.pid}/limits").read_text()
        assert _open_files_limits(limits) == (hard, hard)

        port = int(url.rsplit(":", 1)[1])
        for _ in range(hard):  # more connections than serve has descriptors for
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=30))
        marker = "[gateway] cannot accept a connection: Too many open files"
        until(lambda: marker in log_path.read_text(), interval_s=0.05)
        assert "this process may open 64 files" in log_path.read_text()

        for sock in clients:  # descriptors free again: a new client is served
            sock.close()
        clients.clear()
        assert requests.get(f"{url}/_emulator/health", timeout=30).status_code == 200
    finally:
        for sock in clients:
            sock.close()
        process.terminate()
        process.wait(timeout=60)


def _open_files_limits(limits: str) -> tuple[int, int]:
    line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
    soft, hard = line.split()[3:5]
    return int(soft), int(hard)
