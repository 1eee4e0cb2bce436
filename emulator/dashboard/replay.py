"""Replay: a recorded request sent again, over HTTP, to the gateway serving it.

It goes through the front like any client's request (routing, authorizers, a new ``requestId``),
from this machine: the event's ``sourceIp`` is loopback. What API Gateway added on the way in
(``X-Forwarded-*``, the trace id) is left out, as are ``Host`` and ``Content-Length``.
"""

from __future__ import annotations

import http.client
from urllib.parse import quote, urlsplit

from emulator.dashboard.history import RequestRecord
from emulator.dashboard.views import replay_headers

REPLAY_TIMEOUT_S = 60.0  # past the 29 s integration timeout: the gateway answers first


class ReplayError(Exception):
    """The request cannot be sent again (409), or the gateway did not answer as it should (502)."""

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.status = status


def replay(record: RequestRecord, base_url: str) -> tuple[str, int]:
    """``(new request id, status)``; a body kept only in part cannot be replayed."""
    view = record.view()
    request = view.request
    if view.request_body_size > len(request.body):
        raise ReplayError(
            f"the body ({view.request_body_size} bytes) was kept only in part: it cannot be sent again", 409
        )
    target = urlsplit(base_url)
    path = quote(request.path, safe="/!$&'()*+,;=:@-._~")
    if request.query_string:
        path += f"?{request.query_string}"
    connection = http.client.HTTPConnection(
        target.hostname or "127.0.0.1", target.port, timeout=REPLAY_TIMEOUT_S
    )
    try:
        connection.putrequest(request.method, path, skip_accept_encoding=True)
        for name, value in replay_headers(view):
            connection.putheader(name, value.encode("latin-1", "replace"))
        if request.body or request.header("Content-Length") is not None:
            connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders(request.body)
        response = connection.getresponse()
        response.read()
    except OSError as exc:
        raise ReplayError(f"the gateway at {base_url} did not answer: {exc.__class__.__name__}") from None
    finally:
        connection.close()
    new_id = response.getheader("x-amzn-RequestId")
    if not new_id:
        raise ReplayError("the gateway's answer has no x-amzn-RequestId")
    return new_id, response.status
