"""An endpoint killed while it answers leaves its client the whole answer or none of it.

botocore takes ``200 OK`` followed by a closed connection for a success with every field missing
(an empty body parses as ``{}``): that is how a ``kill -9`` of the endpoint, landing between
werkzeug's send of the headers and its send of the body, once made a cold function read the
signing-keys secret without its ``SecretString`` and answer 500 ``NoSigningKeyError``. Here the
kill is the endpoint's request handler losing its connection after its Nth ``send`` system call:
the real handler and app, a real socket, botocore with the backend's retry settings.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from werkzeug.serving import make_server

from emulator.aws.endpoint import EmbeddedEndpointApp
from emulator.aws.http_handler import EndpointRequestHandler

from .helpers import serving

# The backend's client settings (backend/auth_service/repositories/clients.py).
_BACKEND_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})


class _KilledAfterSends:
    """A connection whose process dies after ``sends`` send calls: what they handed to the kernel
    reaches the client, then the connection closes (as the kernel closes a killed process's
    sockets) and nothing more is sent."""

    def __init__(self, connection: socket.socket, sends: int) -> None:
        self._connection = connection
        self._sends_left = sends
        if sends == 0:
            connection.shutdown(socket.SHUT_WR)

    def sendall(self, data: Any) -> None:
        self.send(data)

    def send(self, data: Any) -> int:
        if self._sends_left == 0:
            raise ConnectionAbortedError("the endpoint was killed")
        self._sends_left -= 1
        self._connection.sendall(data)
        if self._sends_left == 0:
            self._connection.shutdown(socket.SHUT_WR)
        return len(data)

    def __getattr__(self, name: str) -> Any:  # reading, fileno(), settimeout()...
        return getattr(self._connection, name)


class _Kill:
    """Which connection dies, and after how many sends."""

    def __init__(self) -> None:
        self.sends_before: int | None = None  # armed when set; the next connection takes it
        self.done = threading.Event()
        self._lock = threading.Lock()

    def take(self) -> int | None:
        with self._lock:
            sends, self.sends_before = self.sends_before, None
        return sends


@pytest.fixture
def endpoint() -> Iterator[tuple[str, _Kill]]:
    """The endpoint's app and request handler on a loopback port, able to die on one connection."""
    kill = _Kill()

    class Handler(EndpointRequestHandler):
        def setup(self) -> None:
            sends = kill.take()
            if sends is not None:
                self.request = _KilledAfterSends(self.request, sends)
                kill.done.set()
            super().setup()

    server = make_server("127.0.0.1", 0, EmbeddedEndpointApp(), threaded=True, request_handler=Handler)
    with serving(server) as url:
        yield url, kill


@pytest.mark.parametrize("sends_before_the_kill", [0, 1], ids=["before-the-answer", "after-one-send"])
def test_a_secret_read_while_the_endpoint_dies_is_whole_or_retried(endpoint, sends_before_the_kill: int):
    url, kill = endpoint
    secrets = boto3.session.Session().client(
        "secretsmanager",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIATESTTESTTESTTEST",
        aws_secret_access_key="test-secret",
        config=_BACKEND_CONFIG,
    )
    name = f"signing-keys-{uuid.uuid4().hex[:8]}"
    value = '{"keys": [{"kid": "k1"}]}'
    secrets.create_secret(Name=name, SecretString=value)

    kill.sends_before = sends_before_the_kill
    answer = secrets.get_secret_value(SecretId=name, VersionStage="AWSCURRENT")

    assert kill.done.is_set()  # the read met the kill
    # Before the fix, "after-one-send" got 200 with the headers only, which botocore read as {}.
    assert answer.get("SecretString") == value
    assert answer.get("VersionStages") == ["AWSCURRENT"]


def test_a_client_that_expects_100_continue_gets_it_before_it_sends_the_body(endpoint):
    """The answer waits for its flush; an interim ``100 Continue`` must not (the client holds its
    body until it has that line)."""
    url, _ = endpoint
    body = b'{"Name": "expect-continue-%s", "SecretString": "v"}' % uuid.uuid4().hex[:8].encode()
    head = (
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: secretsmanager.CreateSecret\r\n"
        "Content-Type: application/x-amz-json-1.1\r\nAuthorization: AWS4-HMAC-SHA256 "
        "Credential=AKIATESTTESTTESTTEST/20260101/us-east-1/secretsmanager/aws4_request, "
        f"SignedHeaders=host, Signature=0\r\nExpect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=30) as connection:
        connection.sendall(head.encode())
        answer = connection.recv(4096)  # the body is not sent yet: this blocks until the line comes
        assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        connection.sendall(body)
        while chunk := connection.recv(65536):
            answer += chunk
    # http.server and werkzeug each send the interim line (clients skip any number of them).
    while answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"):
        answer = answer[len(b"HTTP/1.1 100 Continue\r\n\r\n") :]
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b'"Name": "expect-continue-' in answer
