"""The shim's HTTP/1.1 on the wire, with raw sockets: what a client library would hide.

Header case and repeated headers as sent, keep-alive, pipelining, ``Expect: 100-continue``,
chunked bodies, HEAD, HTTP/1.0 and malformed requests. The server runs in this process with a
stand-in gateway that answers with the request it was handed (no worker process): what is tested
is the server, up to the :class:`GatewayRequest` (the event built from it: test_events.py).
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any, BinaryIO

import pytest

from emulator.apigateway.proxy_response import GatewayResponse, request_too_large
from emulator.apigateway.request import GatewayRequest
from emulator.apigateway.server import GatewayServer
from tests.emulator.gateway.conftest import server_in_this_process


class RequestEcho:
    """A stand-in gateway: answers every request with the request, as JSON."""

    async def handle(self, request: GatewayRequest, *, loop: object = None) -> GatewayResponse:
        answer = {
            "method": request.method,
            "path": request.path,
            "protocol": request.protocol,
            "headers": dict(request.headers),
            "multiHeaders": {name: list(values) for name, values in (request.multi_headers or {}).items()},
            "body": request.body.decode("utf-8", "replace"),
        }
        return GatewayResponse(200, [("Content-Type", "application/json")], json.dumps(answer).encode())

    def payload_too_large(self, request: GatewayRequest) -> GatewayResponse:
        return request_too_large()


@pytest.fixture(scope="module")
def server() -> Iterator[GatewayServer]:
    with server_in_this_process(RequestEcho()) as server:
        yield server


class _SharedFile:
    """One buffered reader under several HTTPResponses (pipelined answers on one connection)."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file

    def makefile(self, *_args: Any, **_kwargs: Any) -> _SharedFile:
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def close(self) -> None:  # HTTPResponse closes its file after each body: keep it open
        return None


class RawConnection:
    def __init__(self, server: GatewayServer) -> None:
        self.host = f"{server.local_host}:{server.port}"
        self.sock = socket.create_connection((server.local_host, server.port), timeout=30)
        self.file = _SharedFile(self.sock.makefile("rb"))

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def response(self, method: str = "GET") -> http.client.HTTPResponse:
        response = http.client.HTTPResponse(self.file, method=method)  # type: ignore[arg-type]
        response.begin()
        return response

    def closed_by_server(self) -> bool:
        return self.file.read(1) == b""

    def close(self) -> None:
        self.sock.close()


def _request(host: str, path: str, *headers: str, method: str = "GET", body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_header_case_and_repeated_headers_reach_the_event_as_sent(server: GatewayServer) -> None:
    connection = RawConnection(server)
    try:
        connection.send(
            _request(connection.host, "/test/echo", "x-lower: kept", "X-Repeat: one", "x-repeat: two")
        )
        response = connection.response()
        event = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 200
    # API Gateway: original case; the last value in headers, every value in multiValueHeaders.
    assert event["headers"]["x-lower"] == "kept"
    assert event["headers"]["X-Repeat"] == "two"
    assert event["multiHeaders"]["X-Repeat"] == ["one", "two"]
    assert "x-repeat" not in event["headers"]


def test_keep_alive_and_pipelined_requests_are_answered_in_order(server: GatewayServer) -> None:
    connection = RawConnection(server)
    try:
        connection.send(b"".join(_request(connection.host, f"/test/items/{n}") for n in range(5)))
        ids = []
        for _ in range(5):
            response = connection.response()
            assert response.status == 200
            assert response.getheader("Connection") == "keep-alive"
            ids.append(json.loads(response.read())["path"].rsplit("/", 1)[1])
        connection.send(_request(connection.host, "/test/items/last"))  # still open
        assert json.loads(connection.response().read())["path"] == "/test/items/last"
    finally:
        connection.close()
    assert ids == ["0", "1", "2", "3", "4"]


def test_expect_100_continue_gets_the_go_ahead_before_the_body(server: GatewayServer) -> None:
    connection = RawConnection(server)
    try:
        head = _request(
            connection.host, "/test/echo", "Expect: 100-continue", "Content-Length: 7", method="POST"
        )
        connection.send(head)
        interim = connection.file.readline()
        assert interim.startswith(b"HTTP/1.1 100 ")
        assert connection.file.readline() == b"\r\n"
        connection.send(b"payload")
        response = connection.response()
        event = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 200
    assert event["body"] == "payload"


def test_expect_100_continue_over_10_mb_is_refused_before_the_body_is_sent(server: GatewayServer) -> None:
    connection = RawConnection(server)
    try:
        length = 10 * 1024 * 1024 + 1
        connection.send(
            _request(
                connection.host,
                "/test/echo",
                "Expect: 100-continue",
                f"Content-Length: {length}",
                method="POST",
            )
        )
        response = connection.response("POST")
        body = response.read()
        assert connection.closed_by_server()
    finally:
        connection.close()
    assert response.status == 413
    assert body == b"HTTP content length exceeded 10485760 bytes."


def test_chunked_request_body_arrives_whole(server: GatewayServer) -> None:
    connection = RawConnection(server)
    try:
        connection.send(
            _request(connection.host, "/test/echo", "Transfer-Encoding: chunked", method="POST")
            + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        )
        event = json.loads(connection.response().read())
    finally:
        connection.close()
    assert event["body"] == "hello world"


def test_head_gets_the_headers_and_no_body(server: GatewayServer) -> None:
    connection = RawConnection(server)
    try:
        connection.send(_request(connection.host, "/test/items/1", method="HEAD"))
        response = connection.response("HEAD")
        assert response.read() == b""
        assert int(response.getheader("Content-Length") or 0) > 0
        connection.send(_request(connection.host, "/test/items/2"))  # the connection is in sync
        event = json.loads(connection.response().read())
    finally:
        connection.close()
    assert response.status == 200
    assert event["path"] == "/test/items/2"


def test_http_1_0_closes_after_the_answer(server: GatewayServer) -> None:
    connection = RawConnection(server)
    try:
        connection.send(f"GET /test/echo HTTP/1.0\r\nHost: {connection.host}\r\n\r\n".encode())
        response = connection.response()
        event = json.loads(response.read())
        assert connection.closed_by_server()
    finally:
        connection.close()
    assert response.getheader("Connection") == "close"
    assert event["protocol"] == "HTTP/1.0"


def test_malformed_request_is_400_and_the_server_serves_on(server: GatewayServer) -> None:
    connection = RawConnection(server)
    try:
        connection.send(b"NOT AN HTTP REQUEST\r\n\x00\x01\r\n\r\n")
        response = connection.response()
        assert response.status == 400
        response.read()
        assert connection.closed_by_server()
    finally:
        connection.close()
    connection = RawConnection(server)
    try:
        connection.send(_request(connection.host, "/test/echo"))
        assert connection.response().status == 200
    finally:
        connection.close()


def test_an_upgrade_offer_is_declined_by_answering_over_http_1_1(server: GatewayServer) -> None:
    # What `curl --http2 http://...` sends: the REST API answers the request itself.
    connection = RawConnection(server)
    try:
        connection.send(
            _request(
                connection.host,
                "/test/echo",
                "Connection: Upgrade, HTTP2-Settings",
                "Upgrade: h2c",
                "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA",
            )
        )
        response = connection.response()
        event = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 200
    assert event["headers"]["Upgrade"] == "h2c"


def test_an_oversized_request_head_is_431(server: GatewayServer) -> None:
    connection = RawConnection(server)
    try:
        connection.send(_request(connection.host, "/test/echo", "X-Big: " + "a" * 70_000))
        response = connection.response()
        body = json.loads(response.read())
        assert connection.closed_by_server()
    finally:
        connection.close()
    assert response.status == 431
    assert body == {"message": "Request Header Fields Too Large"}


def _status_and_message(server: GatewayServer, raw: bytes) -> tuple[int, str]:
    connection = RawConnection(server)
    try:
        connection.send(raw)
        response = connection.response()
        body = json.loads(response.read())
        assert connection.closed_by_server()
    finally:
        connection.close()
    return response.status, body["message"]


def test_ten_thousand_tiny_headers_are_over_api_gateways_head_limit(server: GatewayServer) -> None:
    """API Gateway: 10,240 bytes of request line and headers. Counting only names and values,
    10,000 one-letter headers (20,000 bytes) passed; on the wire they are 60,000 bytes."""
    raw = _request(f"127.0.0.1:{server.port}", "/test/echo", *(["a: b"] * 10_000))
    assert _status_and_message(server, raw) == (431, "Request Header Fields Too Large")


def test_a_head_just_under_the_limit_is_served_and_just_over_is_431(server: GatewayServer) -> None:
    host = f"127.0.0.1:{server.port}"
    base = len(_request(host, "/test/echo", "Cookie: "))
    fits = _request(host, "/test/echo", "Cookie: " + "c" * (10_240 - base))
    assert len(fits) == 10_240
    connection = RawConnection(server)
    try:
        connection.send(fits)
        response = connection.response()
        response.read()
    finally:
        connection.close()
    assert response.status == 200
    over = _request(host, "/test/echo", "Cookie: " + "c" * (10_241 - base))
    assert _status_and_message(server, over)[0] == 431


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /test/echo HTTP/1.1\r\nAccept: */*\r\n\r\n",
        b"GET /test/echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        b"POST /test/echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
    ],
    ids=["no Host", "two Host lines", "no Host, with a body"],
)
def test_an_http_1_1_request_without_exactly_one_host_is_400(server: GatewayServer, raw: bytes) -> None:
    status, message = _status_and_message(server, raw)
    assert status == 400
    assert message == "Bad Request: an HTTP/1.1 request needs exactly one Host header (RFC 9112, 3.2)"


def test_an_http_1_0_request_needs_no_host(server: GatewayServer) -> None:
    connection = RawConnection(server)
    try:
        connection.send(b"GET /test/echo HTTP/1.0\r\n\r\n")
        response = connection.response()
        assert json.loads(response.read())["path"] == "/test/echo"
    finally:
        connection.close()
    assert response.status == 200
