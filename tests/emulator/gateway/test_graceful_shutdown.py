"""Ctrl-C and SIGTERM shut serve down as uvicorn and gunicorn do: no new connections, idle ones
closed, the requests in flight finished (their answers closing their connections) for up to
``--graceful-timeout``; past it, or at a second Ctrl-C, 503 for what is still running. On both
fronts: the asyncio server and ``--server flask`` (whose Werkzeug server keeps no idle connection)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from emulator.launcher import serve_argv
from tests.emulator.fixtures import template
from tests.emulator.gateway.conftest import FRONTS
from tests.waiting import until

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Serve:
    process: subprocess.Popen[str]
    url: str
    log: Path
    markers: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def in_flight(self, count: int, seconds: float) -> list[Future[requests.Response]]:
        """``count`` requests to a function that runs ``seconds``, returned once all are running."""
        pool = ThreadPoolExecutor(count)
        futures = [
            pool.submit(
                requests.get,
                f"{self.url}/test/long",
                params={"seconds": str(seconds), "started": str(self.markers / f"{n}-{time.monotonic_ns()}")},
                timeout=60,
            )
            for n in range(count)
        ]
        pool.shutdown(wait=False)
        until(lambda: len(list(self.markers.iterdir())) >= count)
        return futures


@pytest.fixture(params=FRONTS)
def start(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    front = request.param
    started: list[Serve] = []

    def start(*options: str) -> Serve:
        log = tmp_path / f"serve-{len(started)}.log"
        markers = tmp_path / f"markers-{len(started)}"
        markers.mkdir()
        app = str(template("gateway_app"))
        argv = serve_argv("--port", "0", "--template", app, "--no-reload", "--server", front, *options)
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=log_file, text=True, start_new_session=True
            )
        assert process.stdout is not None
        ready = next(line for line in process.stdout if line.startswith("Ready on "))
        serve = Serve(process, ready.split()[-1], log, markers)
        started.append(serve)
        return serve

    yield start
    for serve in started:
        if serve.process.poll() is None:
            os.killpg(serve.process.pid, signal.SIGKILL)
            serve.process.wait()


def _idle_keep_alive_connection(serve: Serve) -> socket.socket:
    host, port = serve.url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(f"GET /_emulator/health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(65536)
    head, body = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK")
    length = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))[15:]
    )
    while len(body) < length:  # the whole answer: what comes next on the socket is the server's doing
        body += sock.recv(65536)
    return sock


@pytest.mark.parametrize("how", ["SIGTERM to serve", "SIGINT to its group (Ctrl-C)"])
def test_the_requests_in_flight_finish_with_200(start, how: str) -> None:
    serve = start()
    idle = _idle_keep_alive_connection(serve)
    requests_in_flight = serve.in_flight(3, seconds=3)

    if how.startswith("SIGTERM"):
        serve.process.send_signal(signal.SIGTERM)
    else:
        os.killpg(serve.process.pid, signal.SIGINT)

    assert idle.recv(1) == b""  # an idle keep-alive connection is closed at once
    idle.close()
    until(lambda: "Shutting down: waiting for 3 requests in flight" in serve.log_text())
    host, port = serve.url.removeprefix("http://").rsplit(":", 1)
    with pytest.raises(ConnectionRefusedError):  # no new connection is accepted meanwhile
        socket.create_connection((host, int(port)), timeout=30)
    answers = [future.result() for future in requests_in_flight]
    assert [(a.status_code, a.text, a.headers["Connection"]) for a in answers] == [(200, "done", "close")] * 3
    assert serve.process.wait(timeout=60) == 0
    # Ctrl-C reached the AWS endpoint too: it kept serving the requests in flight, and only
    # stopped when serve stopped it (no crash, no restart).
    assert "the embedded AWS endpoint (pid" not in serve.log_text()


def test_past_the_graceful_timeout_what_still_runs_gets_503(start) -> None:
    serve = start("--graceful-timeout", "0.5")
    [request_in_flight] = serve.in_flight(1, seconds=8)

    serve.process.send_signal(signal.SIGTERM)

    answer = request_in_flight.result()
    assert answer.status_code == 503
    assert answer.json() == {"message": "Service Unavailable: the server is shutting down"}
    assert serve.process.wait(timeout=60) == 0
    assert "1 request still in flight answered 503" in serve.log_text()


def test_a_second_ctrl_c_stops_at_once(start) -> None:
    serve = start("--graceful-timeout", "60")
    [request_in_flight] = serve.in_flight(1, seconds=8)

    os.killpg(serve.process.pid, signal.SIGINT)
    until(lambda: "Ctrl-C again to stop now" in serve.log_text())
    os.killpg(serve.process.pid, signal.SIGINT)

    assert request_in_flight.result().status_code == 503  # not the function's 200, 8 s later
    assert serve.process.wait(timeout=60) == 0
