"""The embedded endpoint's HTTP request handler: each answer leaves in one write, whole or not at all.

werkzeug's server sends an answer's status line and headers in one ``send`` and its body in
another. An endpoint killed between the two (``kill -9``, the OOM killer, a crash) left its client
with ``200 OK`` and no body, and botocore takes that for a success whose fields are all missing:
for the JSON and query protocols it parses an empty or cut body as ``{}``, retrying only where
the service adds a checksum (DynamoDB's ``x-amz-crc32``). A function whose ``GetSecretValue`` was
in flight then read a secret with no ``SecretString``, and the backend, which reads that as "no
key yet", answered 500 ``NoSigningKeyError`` until its key cache refetched.

Here the whole answer is kept until werkzeug flushes it (after the body: the endpoint's app
answers in one piece) and handed to the kernel in one ``sendall``. werkzeug answers one request
per connection, so the send buffer is empty then, and an answer that fits in it (16 KB by default
on Linux, more on macOS; the signing-keys secret's answer is about 2 KB) is copied whole by one
system call, and a signal takes effect only when that call returns: a killed endpoint has sent
all of the answer or none of it (the connection closes before a status line, which botocore
retries). A larger one (a long DynamoDB Query or Scan page) can still be cut while ``sendall``
waits for the client to read; DynamoDB's answers carry the CRC32 that botocore checks.
"""

from __future__ import annotations

import io
import socket
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler


class WholeAnswerWriter(io.BufferedIOBase):
    """A connection's ``wfile``: what is written waits for ``flush``, which sends it in one ``sendall``."""

    def __init__(self, connection: socket.socket) -> None:
        super().__init__()
        self._connection = connection
        self._pending = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.closed:
            raise ValueError("write to a closed connection")
        view = memoryview(data)
        self._pending += view
        return view.nbytes

    def flush(self) -> None:
        if self._pending:
            answer = bytes(self._pending)
            self._pending.clear()  # sent or not, never twice: a failed send leaves nothing to retry
            self._connection.sendall(answer)


class EndpointRequestHandler(MotoRequestHandler):
    """moto's handler (header names kept as sent) writing through :class:`WholeAnswerWriter`, quietly."""

    def setup(self) -> None:
        super().setup()
        self.wfile = WholeAnswerWriter(self.connection)

    def make_environ(self) -> dict[str, Any]:
        # A request with ``Expect: 100-continue`` has had its interim "100 Continue" written by
        # now (by http.server and by werkzeug): its client sends the body only once it has it.
        self.wfile.flush()
        return super().make_environ()

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass  # one line per request would drown the shim's own log
