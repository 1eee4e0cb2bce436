"""A request record as the dashboard shows it, rebuilt from what the history kept
(:mod:`.sealed`'s two layouts) or from what a record holds in flight."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson

from emulator.dashboard import sealed
from emulator.lambda_runtime.traces import KEPT_BYTES, InvocationTrace

if TYPE_CHECKING:
    from emulator.apigateway.proxy_response import GatewayResponse
    from emulator.apigateway.request import GatewayRequest


@dataclasses.dataclass(frozen=True)
class RecordView:
    """A record as the dashboard shows it: bodies as kept, with their sizes as received/sent."""

    request: GatewayRequest
    response: GatewayResponse | None  # None: not answered (yet)
    invocation: InvocationTrace | None  # None: no function was invoked
    request_body_size: int
    response_body_size: int

    def header_pairs(self) -> list[tuple[str, str]]:
        """The request's headers as received, a repeated one once per value."""
        request = self.request
        if request.multi_headers is not None:
            return [(name, value) for name, values in request.multi_headers.items() for value in values]
        return list(request.headers.items())


def in_flight(
    request: GatewayRequest, response: GatewayResponse | None, trace: InvocationTrace | None
) -> RecordView:
    """A record in flight (or live) as the history will keep it: bodies, event and result cut
    to what is kept, the answer as written when the asyncio front wrote it."""
    wire = None if response is None else sealed.kept_wire(response)
    if response is None:
        answer, answer_size = None, 0
    elif wire is not None:
        answer = sealed.response_from_wire(
            wire, from_gateway=response.from_gateway, response_type=response.gateway_response_type
        )
        answer_size = len(answer.body)
    else:
        answer, answer_size = _kept_body(response), len(response.body)
    return RecordView(
        request=_kept_body(request),
        response=answer,
        invocation=_kept_trace(trace),
        request_body_size=len(request.body),
        response_body_size=answer_size,
    )


def full(meta: list[Any], parts: Sequence[bytes], status: int) -> RecordView:
    """A record kept in the full layout (see :mod:`.sealed`)."""
    from emulator.apigateway.proxy_response import GatewayResponse

    multi = meta[sealed.MULTI_HEADERS]
    if multi is None:  # kept in the function's event only (see RequestRecord.seal)
        multi = orjson.loads(parts[2])["multiValueHeaders"] or {}
    trace = meta[sealed.TRACE]
    headers, from_gateway, response_type = meta[sealed.RESPONSE_HEADERS : sealed.RESPONSE_SIZE]
    if headers is None:  # the answer as the asyncio front wrote it
        response = sealed.response_from_wire(parts[1], from_gateway=from_gateway, response_type=response_type)
        response_size = len(response.body)
    else:
        pairs = [(name, value) for name, value in headers]
        response = GatewayResponse(status, pairs, parts[1], from_gateway, response_type)
        response_size = meta[sealed.RESPONSE_SIZE]
    return RecordView(
        request=_request(
            meta[sealed.METHOD],
            meta[sealed.PATH],
            meta[sealed.QUERY],
            multi,
            parts[0],
            meta[sealed.SOURCE_IP],
            meta[sealed.PROTOCOL],
        ),
        response=response,
        invocation=None if trace is None else sealed.trace_from(trace, *parts[2:4]),
        request_body_size=meta[sealed.REQUEST_SIZE],
        response_body_size=response_size,
    )


def compact(meta: list[Any], parts: Sequence[bytes]) -> RecordView:
    """A compact record's view (see :mod:`.sealed`): the request's method, address, protocol
    and headers read back from the event, the answer from the wire."""
    body, wire, event, result, log = parts
    fields = orjson.loads(event)
    context = fields["requestContext"]
    multi = fields["multiValueHeaders"] or {}
    response = sealed.response_from_wire(wire)
    return RecordView(
        request=_request(
            fields["httpMethod"],
            meta[sealed.C_PATH],
            meta[sealed.C_QUERY],
            multi,
            body,
            context["identity"]["sourceIp"],
            context["protocol"],
        ),
        response=response,
        invocation=sealed.compact_trace(meta, event, result, log),
        request_body_size=len(body),
        response_body_size=len(response.body),
    )


def _request(
    method: str,
    path: str,
    query_string: str,
    multi: dict[str, list[str]],
    body: bytes,
    source_ip: str,
    protocol: str,
) -> GatewayRequest:
    """The request as received, rebuilt: its headers from their every value (the last one wins
    in ``headers``, as in the proxy event)."""
    from emulator.apigateway.request import GatewayRequest

    headers = {name: values[-1] for name, values in multi.items()}
    return GatewayRequest(method, path, query_string, headers, body, source_ip, protocol, multi)


def _kept_body(message: Any) -> Any:
    """A request or response with at most :data:`KEPT_BYTES` of its body."""
    if len(message.body) <= KEPT_BYTES:
        return message
    return dataclasses.replace(message, body=message.body[:KEPT_BYTES])


def _kept_trace(trace: InvocationTrace | None) -> InvocationTrace | None:
    """A trace in flight as the history would keep it: its event and result at most
    :data:`KEPT_BYTES` (their sizes as sent)."""
    if trace is None or (len(trace.event) <= KEPT_BYTES and len(trace.result or b"") <= KEPT_BYTES):
        return trace
    kept = copy.copy(trace)
    kept.kept_of = (trace.event_size, trace.result_size)
    kept.event = trace.event[:KEPT_BYTES]
    if trace.result is not None:
        kept.result = trace.result[:KEPT_BYTES]
    return kept
