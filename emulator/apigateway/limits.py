"""What API Gateway and HTTP limit on a client's request, and how long a slow client may take.

Sizes, as AWS documents them (Amazon API Gateway Developer Guide, "Quotas for configuring and
running a REST API in API Gateway",
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html):

- "Total combined size of request line and header values: 10240 bytes". Counted here on the bytes
  as sent, names and separators included (``": "``, CRLF): counting only names and values, 10,000
  headers of one letter each would pass. AWS documents the limit, not its answer; over it, the
  server answers 431 Request Header Fields Too Large (RFC 6585, 5).
- "Payload size: 10 MB" (:data:`emulator.apigateway.request.MAX_PAYLOAD_BYTES`, answered 413).

Lambda's own 6 MB limit on a synchronous invocation's request and response is the runtime's
(:mod:`emulator.lambda_runtime.limits`). RFC 9112, 3.2: "A server MUST respond with a 400 (Bad
Request) status code to any HTTP/1.1 request message that lacks a Host header field and to any
request message that contains more than one Host header field line".

Deadlines for slow clients (any byte used to reset a 120 s idle timer, so a client sending one
header line every few seconds, or a body a byte at a time, held its connection forever): the
whole request head must arrive within :data:`HEAD_TIMEOUT_S` of its first byte, and the body
within :data:`BODY_TIMEOUT_S` plus one second per :data:`BODY_MIN_RATE` bytes received (Apache's
mod_reqtimeout ``MinRate``: an upload at that rate or faster never hits it). Past either, 408
Request Timeout (RFC 9110, 15.5.9) and the connection is closed.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_HEAD_BYTES = 10240
HEAD_TIMEOUT_S = 20.0
BODY_TIMEOUT_S = 30.0
BODY_MIN_RATE = 20_000  # bytes per second
# Per header line: ": " between name and value, CRLF after it. The request line's spaces, its
# CRLF and the blank line ending the head are counted when the head is complete.
HEADER_OVERHEAD = 4
REQUEST_LINE_OVERHEAD = len("  HTTP/1.1\r\n") + len("\r\n")


@dataclass(frozen=True)
class ClientTimeouts:
    """How long a connection may stay open without progress (seconds)."""

    idle_s: float = 120.0  # a keep-alive connection between requests
    head_s: float = HEAD_TIMEOUT_S
    body_s: float = BODY_TIMEOUT_S
    body_min_rate: float = BODY_MIN_RATE

    def body_deadline(self, started: float, received: int) -> float:
        return started + self.body_s + received / self.body_min_rate

    @property
    def sweep_every_s(self) -> float:
        """How often the server checks them: a deadline is kept to within a quarter of itself."""
        return min(self.idle_s, self.head_s, self.body_s) / 4


def head_size(method: str, url_bytes: int, header_bytes: int) -> int:
    """The request head's size on the wire (``header_bytes`` counts names, values, separators)."""
    return len(method) + url_bytes + REQUEST_LINE_OVERHEAD + header_bytes
