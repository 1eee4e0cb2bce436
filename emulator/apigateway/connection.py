"""One client connection of the shim's HTTP/1.1 server, and the answer's bytes on the wire.

This only does the connection's bookkeeping around httptools' parser (llhttp, Node's parser):
keep-alive, pipelined requests answered in order, ``Expect: 100-continue``, the 10 MB limit
checked before the body is read, API Gateway's limit on the request head and RFC 9112's Host
rule (:mod:`.limits`), deadlines for a slow client's head and body, flow control both ways, a
graceful end (half-close, linger) when a request is refused, and the server's shutdown (finish
what is in flight, then close). Each request goes to the gateway's ``handle`` on the loop this
connection lives on.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import http
import json
import logging
import socket
import time
from collections import deque

import httptools

from emulator import log
from emulator.apigateway.api import Gateway
from emulator.apigateway.lifecycle import SHUTTING_DOWN_MESSAGE
from emulator.apigateway.limits import HEADER_OVERHEAD, MAX_HEAD_BYTES, ClientTimeouts, head_size
from emulator.apigateway.proxy_response import GatewayResponse
from emulator.apigateway.request import MAX_PAYLOAD_BYTES, GatewayRequest

# Pipelined requests read ahead of the one being answered before reading pauses.
MAX_PIPELINED = 16
# How long a refused connection is kept half-closed for the client to read the answer.
LINGER_S = 5.0
_DEFAULT_TIMEOUTS = ClientTimeouts()


def _status_line(status: int) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"HTTP/1.1 {status} {phrase}\r\n".encode()


_STATUS_LINES = {code: _status_line(code) for code in range(100, 600)}
# Hop-by-hop and framing headers are the server's to write (API Gateway sets them itself too).
_SERVER_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "date"})


class _HttpDate:
    """The ``Date`` header value, formatted once per second."""

    def __init__(self) -> None:
        self._second = 0
        self._value = b""

    def now(self) -> bytes:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._value = email.utils.formatdate(second, usegmt=True).encode()
        return self._value


_DATE = _HttpDate()


def encode_response(response: GatewayResponse, *, head: bool, keep_alive: bool) -> bytes:
    """The status line, headers and body on the wire (one buffer: one write)."""
    status = response.status
    lines = [_STATUS_LINES.get(status) or _status_line(status), b"Date: ", _DATE.now(), b"\r\n"]
    for name, value in response.headers:
        if name.lower() in _SERVER_HEADERS:
            continue
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            continue  # never let a value split the response (header injection)
        lines.append(f"{name}: {value}\r\n".encode("latin-1", "replace"))
    body = response.body
    bodiless = status < 200 or status in (204, 304)
    if not bodiless:
        lines.append(b"Content-Length: %d\r\n" % len(body))
    lines.append(b"Connection: keep-alive\r\n\r\n" if keep_alive else b"Connection: close\r\n\r\n")
    if not (head or bodiless):
        lines.append(body)
    return b"".join(lines)


class _Pending:
    """A request read off the connection, waiting for its turn to be answered."""

    __slots__ = ("keep_alive", "request", "too_large")

    def __init__(self, request: GatewayRequest, keep_alive: bool, too_large: bool) -> None:
        self.request = request
        self.keep_alive = keep_alive
        self.too_large = too_large


class HttpConnection(asyncio.Protocol):
    """One client connection: parses requests, answers them in order through the gateway."""

    def __init__(
        self,
        gateway: Gateway,
        server_port: int,
        connections: set[HttpConnection],
        timeouts: ClientTimeouts = _DEFAULT_TIMEOUTS,
    ) -> None:
        self._gateway = gateway
        self._timeouts = timeouts
        self._server_port = server_port
        self._connections = connections
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()  # made by the loop's server, on its thread
        self._parser = httptools.HttpRequestParser(self)
        self._source_ip = "127.0.0.1"
        self._queue: deque[_Pending] = deque()
        self._busy = False
        self._closed = False
        self._reading_paused = False
        self._discarding = False  # refused: what the client still sends is read and dropped
        self._can_write: asyncio.Event | None = None  # set while the transport accepts writes
        self._last_active = 0.0  # loop.time() of the last bytes received
        self._draining = False  # the server shuts down: close once what is in flight is answered
        # The request being parsed.
        self._message_complete = False
        self._message_started = 0.0  # loop.time() of its first byte (0: none in progress)
        self._body_started = 0.0  # loop.time() its head was complete (0: no body expected now)
        self._hosts = 0
        self._bad_request: str | None = None  # why the head is refused with 400, once complete
        self._head_size = 0
        self._head_too_large = False
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._body_size = 0
        self._too_large = False

    # -- asyncio.Protocol ---------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        self._last_active = self._loop.time()
        self._connections.add(self)
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and peer:
            self._source_ip = str(peer[0])
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._connections.discard(self)
        if self._can_write is not None:
            self._can_write.set()

    def data_received(self, data: bytes) -> None:
        self._last_active = self._loop.time()
        if self._discarding:
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            # An offer to switch protocols (h2c from `curl --http2`, a WebSocket): a REST API
            # declines it by answering the request over HTTP/1.1 (RFC 9110 7.8), on a fresh parser.
            if not self._message_complete:
                self._refuse(400)
                return
            self._parser = httptools.HttpRequestParser(self)
            rest = data[upgrade.args[0] :] if upgrade.args and isinstance(upgrade.args[0], int) else b""
            if rest:
                self.data_received(rest)
        except httptools.HttpParserError:
            self._refuse(431 if self._head_too_large else 400)

    def pause_writing(self) -> None:
        if self._can_write is None:
            self._can_write = asyncio.Event()
        self._can_write.clear()

    def resume_writing(self) -> None:
        if self._can_write is not None:
            self._can_write.set()

    # -- httptools callbacks ------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._message_complete = False
        self._message_started = self._loop.time()
        self._body_started = 0.0
        self._hosts = 0
        self._bad_request = None
        self._head_size = 0
        self._url = b""
        self._headers = []
        self._body = []
        self._body_size = 0
        self._too_large = False

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._count_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))
        self._count_head(len(name) + len(value) + HEADER_OVERHEAD)

    def _count_head(self, size: int) -> None:
        # API Gateway's limit, which is also the guard against unbounded memory: llhttp sets no
        # limit of its own, so a client could otherwise grow this list forever.
        self._head_size += size
        if self._head_size > MAX_HEAD_BYTES:
            self._head_too_large = True
            raise ValueError("request head too large")  # the parser stops with an error

    def on_headers_complete(self) -> None:
        method = self._parser.get_method().decode("ascii", "replace")
        if head_size(method, 0, self._head_size) > MAX_HEAD_BYTES:  # with the request line's own bytes
            self._head_too_large = True
            raise ValueError("request head too large")
        self._body_started = self._loop.time()
        expects_continue = False
        for name, value in self._headers:
            lower = name.lower()
            if lower == b"content-length" and value.strip().isdigit() and int(value) > MAX_PAYLOAD_BYTES:
                self._too_large = True  # refused without keeping a byte of the body
            elif lower == b"expect" and value.lower() == b"100-continue":
                expects_continue = True
            elif lower == b"host":
                self._hosts += 1
        if self._hosts > 1 or (self._hosts == 0 and self._parser.get_http_version() == "1.1"):
            # RFC 9112, 3.2; answered once the message is read (its body must not be taken for
            # the next request).
            self._bad_request = "an HTTP/1.1 request needs exactly one Host header (RFC 9112, 3.2)"
        if expects_continue and self._transport is not None:
            if not self._too_large:
                # curl sends this for larger bodies and waits (1 s) for the go-ahead.
                self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            elif not self._busy and not self._queue:
                # The client holds the body back until told: refuse it now (RFC 9110 10.1.1).
                self._busy = True
                self._queue.append(_Pending(self._parsed_request(), False, True))
                self._loop.create_task(self._answer_queue())

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._too_large:
            return
        if self._body_size > MAX_PAYLOAD_BYTES:  # chunked, no Content-Length to judge by
            self._too_large = True
            self._body = []
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._message_complete = True
        self._message_started = self._body_started = 0.0
        if self._closed:
            return
        if self._bad_request is not None:
            self._refuse(400, f"Bad Request: {self._bad_request}")
            return
        self._queue.append(
            _Pending(self._parsed_request(), self._parser.should_keep_alive(), self._too_large)
        )
        if len(self._queue) >= MAX_PIPELINED and not self._reading_paused and self._transport is not None:
            self._reading_paused = True
            self._transport.pause_reading()
        if not self._busy:
            self._busy = True
            self._loop.create_task(self._answer_queue())

    def _parsed_request(self) -> GatewayRequest:
        parser = self._parser
        try:
            parsed = httptools.parse_url(self._url or b"/")
            raw_path, raw_query = parsed.path or b"/", parsed.query
        except httptools.HttpParserInvalidURLError:
            raw_path, raw_query = self._url or b"/", None
        return GatewayRequest.from_http(
            method=parser.get_method().decode("ascii", "replace"),
            raw_path=raw_path,
            raw_query=raw_query,
            raw_headers=self._headers,
            body=b"".join(self._body),
            source_ip=self._source_ip,
            protocol=f"HTTP/{parser.get_http_version()}",
            server_port=self._server_port,
        )

    # -- answering ----------------------------------------------------------------------------
    async def _answer_queue(self) -> None:
        try:
            await self._answer_pending()
        except Exception:  # a bug here must not leave the client waiting forever
            logging.getLogger(log.GATEWAY).exception("connection error:")
            self._close()
        finally:
            self._busy = False

    async def _answer_pending(self) -> None:
        while self._queue and not self._closed:
            pending = self._queue.popleft()
            if self._reading_paused and len(self._queue) < MAX_PIPELINED // 2 and self._transport:
                self._reading_paused = False
                self._transport.resume_reading()
            if pending.too_large:  # the client may still be sending the body: do not reset
                self._end_gracefully(self._gateway.payload_too_large(pending.request))
                return
            response = await self._gateway.handle(pending.request, loop=self._loop)
            # Shutting down: what was read is answered, the last answer closes the connection.
            keep_alive = pending.keep_alive and not (self._draining and not self._queue)
            if not self._write(response, pending.request.method == "HEAD", keep_alive):
                return
            if self._can_write is not None and not self._can_write.is_set():
                await self._can_write.wait()  # the client reads slowly: do not pile up answers

    def _write(self, response: GatewayResponse, head: bool, keep_alive: bool) -> bool:
        transport = self._transport
        if self._closed or self._discarding or transport is None or transport.is_closing():
            return False
        response.wire = wire = encode_response(response, head=head, keep_alive=keep_alive)
        transport.write(wire)
        if not keep_alive:
            self._close()
            return False
        return True

    def _refuse(self, status: int, message: str | None = None) -> None:
        """Answer a request that cannot be parsed, then end the connection gracefully.

        Closing at once with the client's bytes still unread would make the kernel reset the
        connection, and the client could lose the answer: the server half-closes instead,
        discards what still comes, and closes when the client does (or after a few seconds).
        """
        body = json.dumps({"message": message or http.HTTPStatus(status).phrase}).encode()
        self._end_gracefully(GatewayResponse(status, [("Content-Type", "application/json")], body))

    def _end_gracefully(self, response: GatewayResponse) -> None:
        transport = self._transport
        self._discarding = True
        self._queue.clear()
        if transport is None or transport.is_closing():
            return
        transport.write(encode_response(response, head=False, keep_alive=False))
        if transport.can_write_eof():
            transport.write_eof()
            self._loop.call_later(LINGER_S, self._close)
        else:
            self._close()

    def _close(self) -> None:
        self._closed = True
        if self._transport is not None:
            self._transport.close()

    def sweep(self, now: float) -> None:
        """The server's periodic check: an idle keep-alive connection is closed, a request whose
        head or body is late gets 408 (a byte now and then does not reset these deadlines)."""
        if self._closed or self._discarding:
            return
        timeouts = self._timeouts
        if self._message_started and not self._message_complete:
            if self._body_started:
                late = now > timeouts.body_deadline(self._body_started, self._body_size)
            else:
                late = now - self._message_started > timeouts.head_s
            if late:
                self._refuse(408)
        elif not self._busy and not self._queue and now - self._last_active >= timeouts.idle_s:
            self._close()

    def shutdown(self) -> None:
        """Server shutdown: an idle connection closes now, a busy one after its answers (the
        requests read and the one being read, if it arrives in time)."""
        self._draining = True
        in_progress = self._message_started and not self._message_complete
        if not self._busy and not self._queue and not in_progress:
            self._close()

    def abandon(self) -> None:
        """Past the graceful timeout: a request in flight gets 503, and the connection ends."""
        if self._closed or self._discarding:
            self._close()
            return
        body = json.dumps({"message": SHUTTING_DOWN_MESSAGE}).encode()
        self._end_gracefully(GatewayResponse(503, [("Content-Type", "application/json")], body))
