"""The client's HTTP request as the gateway sees it, read once from the WSGI environ.

Header names: the HTTP server underneath (hyper, in granian) lower-cases header names and joins
repeated headers with ``,`` before WSGI sees them, so the original spelling is rebuilt in the
canonical ``Title-Case`` form that HTTP/1.1 clients (URLSession, curl, browsers) send for the
standard headers. API Gateway itself passes the original case through; lower-casing (Chalice)
is the mistake this avoids.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from emulator.apigateway import ids

# API Gateway's hard limit on a request payload (REST APIs): 10 MB.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024

# WSGI keeps these two outside the HTTP_* keys.
_UNPREFIXED_HEADERS = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}
# environ key -> header name, or "" for keys that are not headers. One dict lookup per key on
# the hot path; bounded, since clients choose header names.
_header_names: dict[str, str] = {}
_HEADER_NAME_CACHE_LIMIT = 4096


def header_name(environ_key: str) -> str:
    """``HTTP_X_API_KEY`` -> ``X-Api-Key``; ``""`` when the environ key is not a header."""
    name = _header_names.get(environ_key)
    if name is None:
        if environ_key in _UNPREFIXED_HEADERS:
            name = _UNPREFIXED_HEADERS[environ_key]
        elif environ_key.startswith("HTTP_"):
            name = "-".join(part.capitalize() for part in environ_key[5:].split("_"))
        else:
            name = ""
        if len(_header_names) < _HEADER_NAME_CACHE_LIMIT:
            _header_names[environ_key] = name
    return name


class PayloadTooLarge(Exception):
    """The body is over API Gateway's 10 MB limit (answered 413)."""


@dataclass(frozen=True)
class GatewayRequest:
    method: str
    path: str  # URL-decoded path as requested, stage prefix included
    query_string: str  # raw, still URL-encoded
    headers: Mapping[str, str]  # original-case names (see module docstring)
    body: bytes
    source_ip: str
    protocol: str

    @cached_property
    def _by_lower_name(self) -> dict[str, str]:
        return {key.lower(): value for key, value in self.headers.items()}

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        return self._by_lower_name.get(name.lower())

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any]) -> GatewayRequest:
        headers: dict[str, str] = {}
        for key, value in environ.items():
            name = _header_names.get(key)
            if name is None:
                name = header_name(key)
            if name and (value or not key.startswith("CONTENT_")):
                headers[name] = value
        source_ip = environ.get("REMOTE_ADDR", "127.0.0.1")
        add_forwarding_headers(headers, source_ip, environ)
        return cls(
            method=environ["REQUEST_METHOD"].upper(),
            path=_wsgi_text(environ.get("PATH_INFO") or "/"),
            query_string=environ.get("QUERY_STRING", ""),
            headers=headers,
            body=read_body(environ),
            source_ip=source_ip,
            protocol=environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
        )


def _wsgi_text(value: str) -> str:
    """WSGI strings carry raw bytes as latin-1 (PEP 3333); URLs are UTF-8."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def trace_id() -> str:
    """An X-Ray trace header as API Gateway adds it: ``Root=1-{epoch hex}-{96 random bits}``."""
    return f"Root=1-{int(time.time()):08x}-{ids.getrandbits(96):024x}"


def add_forwarding_headers(headers: dict[str, str], source_ip: str, environ: Mapping[str, Any]) -> None:
    """The headers API Gateway adds before the integration sees the request.

    ``X-Forwarded-For`` gets the client's address appended (a client-sent value is kept in
    front, so only the last entry can be trusted -- as on AWS), plus ``X-Forwarded-Port``,
    ``X-Forwarded-Proto`` and an ``X-Amzn-Trace-Id``.
    """
    forwarded = headers.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = f"{forwarded}, {source_ip}" if forwarded else source_ip
    headers["X-Forwarded-Port"] = str(environ.get("SERVER_PORT") or "80")
    headers["X-Forwarded-Proto"] = environ.get("wsgi.url_scheme") or "http"
    headers.setdefault("X-Amzn-Trace-Id", trace_id())


def read_body(environ: Mapping[str, Any]) -> bytes:
    """The request body, refusing (before reading it) anything over 10 MB."""
    length_text = environ.get("CONTENT_LENGTH") or ""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length_text:
        try:
            length = int(length_text)
        except ValueError:
            length = 0
        if length > MAX_PAYLOAD_BYTES:
            raise PayloadTooLarge(length)
        return stream.read(length) if length > 0 else b""
    # No Content-Length (chunked): read at most one byte past the limit to know.
    data = stream.read(MAX_PAYLOAD_BYTES + 1)
    if len(data) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(len(data))
    return data or b""
