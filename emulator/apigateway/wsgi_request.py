"""A WSGI request as the gateway sees it, and the gateway's answer as a WSGI response.

The Flask front's half of the bridge (:mod:`.wsgi_bridge` is the other way round: a
:class:`GatewayRequest` run through the emulator's own Flask pages). The request is built by
:meth:`GatewayRequest.from_http`, as the asyncio server builds it, so both fronts hand the gateway
the same request: forwarding headers, decoded path, raw query string.

Header names: PEP 3333 keeps no case (``HTTP_X_CUSTOM_HEADER``) and joins a repeated header into
one value. ``serve --server flask``'s request handler adds the headers as they came on the wire
under :data:`RAW_HEADERS` (original case, every value, in order), which this prefers; under any
other WSGI server (or Flask's test client) names are rebuilt in their canonical case
(``X-Custom-Header``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from emulator.apigateway.proxy_response import GatewayResponse
from emulator.apigateway.request import MAX_PAYLOAD_BYTES, GatewayRequest

RAW_HEADERS = "emulator.raw_headers"  # environ key: [(name, value)] as received, str (latin-1)
READ_CHUNK = 64 * 1024
# Hop-by-hop headers (RFC 9110 7.6.1) are the server's to write; PEP 3333 forbids an application
# to set them. Content-Length too: the server frames the body it is given.
_SERVER_HEADERS = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}
    | {"content-length"}
)


def gateway_request(environ: dict[str, Any]) -> tuple[GatewayRequest, bool]:
    """The request, and whether its body is over API Gateway's 10 MB (then left unread, and empty here)."""
    body = _read_body(environ)
    # PATH_INFO is the decoded path, as WSGI strings carry bytes (latin-1); quoted again so that
    # from_http decodes it exactly once, as it decodes the raw path the asyncio server reads.
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    port = str(environ.get("SERVER_PORT") or "80")
    request = GatewayRequest.from_http(
        method=str(environ.get("REQUEST_METHOD", "GET")),
        raw_path=quote(path or "/", safe="/").encode("ascii"),
        raw_query=str(environ.get("QUERY_STRING", "")).encode("latin-1"),
        raw_headers=_raw_headers(environ),
        body=body or b"",
        source_ip=str(environ.get("REMOTE_ADDR") or "127.0.0.1"),
        protocol=str(environ.get("SERVER_PROTOCOL") or "HTTP/1.1"),
        server_port=int(port) if port.isdigit() else 80,
    )
    return request, body is None


def _raw_headers(environ: Mapping[str, Any]) -> Iterable[tuple[bytes, bytes]]:
    raw = environ.get(RAW_HEADERS)
    if raw is not None:
        return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in raw]
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:]
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            name = key
        else:
            continue
        canonical = "-".join(part.capitalize() for part in name.split("_"))
        headers.append((canonical.encode("latin-1"), str(value).encode("latin-1")))
    return headers


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """The whole body; None when it is over 10 MB (judged by Content-Length before reading any)."""
    from werkzeug.wsgi import get_input_stream

    length = str(environ.get("CONTENT_LENGTH") or "").strip()
    if length.isdigit() and int(length) > MAX_PAYLOAD_BYTES:
        return None  # unread: Werkzeug's server discards what the client still sends
    # Content-Length bounds the read, or the server marked the input as ending on its own
    # (a chunked body); without either, there is no body.
    stream = get_input_stream(environ, max_content_length=None)
    chunks, size = [], 0
    while True:
        chunk = stream.read(READ_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_PAYLOAD_BYTES:  # chunked, no Content-Length to judge by
            return None
        chunks.append(chunk)


def wsgi_headers(response: GatewayResponse) -> list[tuple[str, str]]:
    """The answer's headers a WSGI application may set: no hop-by-hop header, and no value that
    would split the response (header injection; Werkzeug would refuse it with an error)."""
    return [
        (name, value)
        for name, value in response.headers
        if name.lower() not in _SERVER_HEADERS
        and not any(c in name or c in value for c in ("\r", "\n", "\0"))
    ]
