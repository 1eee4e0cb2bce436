"""The client's HTTP request as the gateway sees it: method, decoded path, headers, body.

Header names keep the case the client sent (API Gateway passes it through; lower-casing, as
Chalice does, is the mistake this avoids). A header sent more than once is in ``headers`` with
its last value and in ``multi_headers`` with all of them, in order -- the two maps of the proxy
event.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import unquote

from emulator import ids

# API Gateway's hard limit on a request payload (REST APIs): 10 MB.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class GatewayRequest:
    method: str
    path: str  # URL-decoded path as requested, stage prefix included
    query_string: str  # raw, still URL-encoded
    headers: Mapping[str, str]  # original-case names, the last value of a repeated header
    body: bytes
    source_ip: str
    protocol: str
    multi_headers: Mapping[str, Sequence[str]] | None = None  # every value; None: one per name

    @cached_property
    def _by_lower_name(self) -> dict[str, str]:
        return {key.lower(): value for key, value in self.headers.items()}

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        return self._by_lower_name.get(name.lower())

    @classmethod
    def from_http(
        cls,
        *,
        method: str,
        raw_path: bytes,
        raw_query: bytes | None,
        raw_headers: Iterable[tuple[bytes, bytes]],
        body: bytes,
        source_ip: str,
        protocol: str,
        server_port: int,
    ) -> GatewayRequest:
        """The request as parsed off the wire, with the headers API Gateway adds."""
        headers: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        spelling: dict[bytes, str] = {}  # a name repeated in another case joins the first one
        for raw_name, raw_value in raw_headers:
            # HTTP header bytes are ISO-8859-1 (RFC 9110 5.5); names are ASCII.
            key = raw_name.lower()
            name = spelling.get(key)
            value = raw_value.decode("latin-1")
            if name is None:
                name = spelling[key] = raw_name.decode("latin-1")
                multi[name] = [value]
            else:
                multi[name].append(value)
            headers[name] = value
        add_forwarding_headers(headers, multi, source_ip, server_port)
        return cls(
            method=method,
            # URLs are UTF-8; what is not is replaced rather than refused.
            path=unquote(raw_path.decode("utf-8", "replace")) or "/",
            query_string=raw_query.decode("latin-1") if raw_query else "",
            headers=headers,
            body=body,
            source_ip=source_ip,
            protocol=protocol,
            multi_headers=multi,
        )


def trace_id() -> str:
    """An X-Ray trace header as API Gateway adds it: ``Root=1-{epoch hex}-{96 random bits}``."""
    return f"Root=1-{int(time.time()):08x}-{ids.getrandbits(96):024x}"


def add_forwarding_headers(
    headers: dict[str, str], multi: dict[str, list[str]], source_ip: str, server_port: int
) -> None:
    """The headers API Gateway adds before the integration sees the request.

    ``X-Forwarded-For`` gets the client's address appended (a client-sent value is kept in
    front, so only the last entry can be trusted -- as on AWS), plus ``X-Forwarded-Port``,
    ``X-Forwarded-Proto`` and an ``X-Amzn-Trace-Id``.
    """
    forwarded = None
    has_trace = False
    for name in list(headers):  # header names are case-insensitive
        lower = name.lower()
        if lower == "x-forwarded-for":
            forwarded = headers.pop(name)
            multi.pop(name, None)
        elif lower == "x-amzn-trace-id":
            has_trace = True
    added = {
        "X-Forwarded-For": f"{forwarded}, {source_ip}" if forwarded else source_ip,
        "X-Forwarded-Port": str(server_port),
        "X-Forwarded-Proto": "http",
    }
    if not has_trace:
        added["X-Amzn-Trace-Id"] = trace_id()
    for name, value in added.items():
        headers[name] = value
        multi[name] = [value]
