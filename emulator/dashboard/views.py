"""A request record as the dashboard shows it: dicts built only when a page or the API asks.

Bodies are capped (:data:`BODY_CAP`); a body that is not UTF-8 text is shown as base64. With
``reveal`` false, secrets are masked (:mod:`.masking`).
"""

from __future__ import annotations

import base64
import json
import shlex
from datetime import UTC, datetime
from typing import Any

import orjson

from emulator.dashboard import masking
from emulator.dashboard.history import AuthorizerTrace, RequestRecord
from emulator.dashboard.record_view import RecordView
from emulator.lambda_runtime.api import InvocationError
from emulator.lambda_runtime.traces import InvocationTrace

BODY_CAP = 64 * 1024  # bytes of a body shown; the size says how much there was
# Added by API Gateway (or the HTTP client) on the way in: a replay or curl must not send them again.
ADDED_HEADERS = frozenset(
    {"x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-amzn-trace-id", "host", "content-length"}
)


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def summary(record: RequestRecord, view: RecordView | None = None) -> dict[str, Any]:
    """One row of the live list (``view``: the record's, when the caller has it already)."""
    view = view or record.view()
    authorizer = record.authorizer
    return {
        "requestId": record.request_id,
        "time": _iso(record.received_at),
        "method": view.request.method,
        "path": view.request.path,
        "route": record.route,
        "status": record.status,
        "durationMs": round(record.duration_ms, 2),
        "function": record.function,
        "cold": view.invocation.cold if view.invocation is not None else None,
        "authorizer": _decision(authorizer) if authorizer is not None else None,
        "replayOf": record.replay_of,
    }


def detail(record: RequestRecord, *, reveal: bool) -> dict[str, Any]:
    """Everything about one request: as received, the event, the authorizer, the function, the answer."""
    view = record.view()
    request, response = view.request, view.response
    headers = view.header_pairs()
    response_headers = list(response.headers) if response is not None else []
    trace = view.invocation
    return {
        **summary(record, view),
        "masked": not reveal,
        "request": {
            "method": request.method,
            "path": request.path,
            "queryString": request.query_string,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "headers": headers if reveal else masking.mask_headers(headers),
            "body": body_view(
                request.body, view.request_body_size, _header(headers, "Content-Type"), reveal=reveal
            ),
        },
        "event": _json_view(trace.event, trace.event_size, reveal=reveal) if trace is not None else None,
        "authorizer": _authorizer(record.authorizer, reveal=reveal),
        "function": _function(record, trace, reveal=reveal),
        "response": {
            "status": record.status,
            "headers": response_headers if reveal else masking.mask_headers(response_headers),
            "body": body_view(
                response.body if response is not None else b"",
                view.response_body_size,
                _header(response_headers, "Content-Type"),
                reveal=reveal,
            ),
        },
        "failure": record.failure,
        "curl": curl_command(view, reveal=reveal),
    }


def body_view(body: bytes, size: int, content_type: str | None, *, reveal: bool) -> dict[str, Any]:
    """``{size, truncated, encoding: "text" | "base64", text}`` (``body``: what was kept of it)."""
    shown = body[:BODY_CAP]
    view: dict[str, Any] = {"size": size, "truncated": size > len(shown), "contentType": content_type}
    try:
        text = shown.decode("utf-8")
    except UnicodeDecodeError:
        view.update(encoding="base64", text=base64.b64encode(shown).decode("ascii"))
        return view
    view.update(encoding="text", text=text if reveal else masking.mask_json_text(text))
    return view


def replay_headers(view: RecordView) -> list[tuple[str, str]]:
    """The headers the client sent (API Gateway's own additions left out)."""
    return [(name, value) for name, value in view.header_pairs() if name.lower() not in ADDED_HEADERS]


def curl_command(view: RecordView, *, reveal: bool) -> str:
    request = view.request
    host = request.header("Host") or "127.0.0.1"
    url = f"http://{host}{request.path}" + (f"?{request.query_string}" if request.query_string else "")
    sent = replay_headers(view)
    if not reveal:
        sent = masking.mask_headers(sent)
    parts = ["curl", "-i", "-X", request.method, shlex.quote(url)]
    for name, value in sent:
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if view.request_body_size:
        text = body_view(request.body, view.request_body_size, None, reveal=reveal)
        if text["encoding"] == "text" and not text["truncated"]:
            parts += ["--data-binary", shlex.quote(text["text"])]
        else:
            parts += ["--data-binary", "@body.bin"]  # binary or large: not inlined
    return " ".join(parts)


def _json_view(data: bytes | None, size: int, *, reveal: bool) -> Any:
    """An event or a result as JSON (masked unless revealed); a truncated one as its text."""
    if data is None:
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        text = data.decode("utf-8", "replace")
        return {"truncated": True, "size": size, "text": text if reveal else masking.mask_text(text)}
    return value if reveal else masking.mask_tree(value)


def _function(record: RequestRecord, trace: InvocationTrace | None, *, reveal: bool) -> dict[str, Any] | None:
    if record.function is None:
        return None
    shown: dict[str, Any] = {"name": record.function, "state": "not invoked", "logs": []}
    if trace is None:
        return shown
    shown.update(_invocation(trace, reveal=reveal))
    return shown


def _invocation(trace: InvocationTrace, *, reveal: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "lambdaRequestId": trace.request_id,
        "durationMs": None if trace.duration_ms is None else round(trace.duration_ms, 2),
        "initDurationMs": None if trace.init_ms is None else round(trace.init_ms, 2),
        "cold": trace.cold,
        "state": "done" if trace.duration_ms is not None else "no answer (yet): past the integration timeout",
        "logs": _log_lines(trace, reveal=reveal),
    }
    if trace.error is not None:
        shown["error"] = _error(trace.error, reveal=reveal)
    elif trace.result is not None:
        shown["result"] = _json_view(trace.result, trace.result_size, reveal=reveal)
    return shown


def _error(error: InvocationError, *, reveal: bool) -> dict[str, Any]:
    return {
        "kind": error.kind,
        "errorType": error.error_type,
        "errorMessage": error.error_message if reveal else masking.mask_text(error.error_message),
        "stackTrace": list(error.stack_trace),
    }


def _authorizer(trace: AuthorizerTrace | None, *, reveal: bool) -> dict[str, Any] | None:
    if trace is None:
        return None
    tree = _identity if reveal else masking.mask_tree
    invocation = trace.invocation
    shown: dict[str, Any] = {
        "name": trace.name,
        "decision": _decision(trace),
        "status": trace.status,
        "cached": trace.cached,
        "reason": trace.reason,
        "lambdaRequestId": invocation.request_id if invocation is not None else None,
        "event": None,
        "output": None,
        "policy": trace.policy,
        "context": tree(trace.context),
        "logs": _log_lines(invocation, reveal=reveal),
    }
    if invocation is not None:
        shown["event"] = _json_view(invocation.event, invocation.event_size, reveal=reveal)
        if invocation.error is not None:
            shown["output"] = _error(invocation.error, reveal=reveal)
        elif invocation.result is not None:
            shown["output"] = _json_view(invocation.result, invocation.result_size, reveal=reveal)
    return shown


def _log_lines(trace: InvocationTrace | None, *, reveal: bool) -> list[str]:
    if trace is None:
        return []
    lines = trace.log_lines()
    return lines if reveal else [masking.mask_text(line) for line in lines]


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers if key.lower() == lowered), None)


def _decision(trace: AuthorizerTrace) -> str:
    if trace.allowed:
        return "allow"
    if trace.allowed is None:
        return "pending"
    return f"deny {trace.status}" if trace.status else "deny"


def _identity(value: Any) -> Any:
    return value


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def as_json(value: Any) -> str:
    """Pretty JSON for a page (values JSON cannot hold shown as text)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
