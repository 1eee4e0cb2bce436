"""The dashboard under ``/_emulator/``: the request pages and their JSON API.

- ``GET /_emulator/`` and ``/_emulator/requests``: the live request list (filters: status class,
  path, function); ``/_emulator/requests/<requestId>``: one request (Replay, Copy as curl).
- ``GET /_emulator/api/requests[?status=4xx&path=...&function=...&limit=N]``: newest first;
  ``GET /_emulator/api/requests/<requestId>``; ``POST .../<requestId>/replay`` -> the new id;
  ``GET /_emulator/api/events``: Server-Sent Events, one ``request`` event per new request.
- ``/_emulator/tables[/<name>]`` and ``/_emulator/api/tables/...``: the DynamoDB tables browser
  (:mod:`.tables_routes`).
- Secrets are masked unless ``?reveal=1`` (:mod:`.masking`).
- Only loopback clients are answered unless ``allow_lan`` (``serve --dashboard-allow-lan``): with
  ``--host 0.0.0.0`` for a phone, the LAN reaches the API and ``/_emulator/idp/``, not this.

The live list's event stream is served in rounds: each response holds the requests that arrived
while it waited (up to :data:`EVENTS_WAIT_S`), with their ids, and ends; the browser's
``EventSource`` reconnects at once (``retry``) and sends ``Last-Event-ID``, so nothing is missed
or repeated. Both fronts answer ``/_emulator/`` through WSGI, which buffers a response: a round
also never keeps a shutting-down server waiting long.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, abort, jsonify, render_template, request

from emulator.dashboard import views
from emulator.dashboard.functions import FunctionsSource, add_function_routes
from emulator.dashboard.history import RequestHistory
from emulator.dashboard.replay import ReplayError, replay
from emulator.dashboard.secrets import SecretsSource, add_secret_routes
from emulator.dashboard.tables import TableBrowser, template_table_names
from emulator.dashboard.tables_routes import add_table_routes
from emulator.emulator_app import EMAILS_PAGE
from emulator.idp.blueprint import error_response

if TYPE_CHECKING:
    from emulator.core import EmulatorCore

HERE = Path(__file__).resolve().parent
EVENTS_WAIT_S = 2.0
EVENTS_RETRY_MS = 100
REPLAYED_RECORD_WAIT_S = 2.0  # its record is kept a moment after its answer left (history.wait_for)
DEFAULT_LIMIT = 100
SIX_DIGITS = re.compile(r"(?<!\d)\d{6}(?!\d)")
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
LAN_REFUSED = (
    "the dashboard answers only this machine (loopback); start serve with --dashboard-allow-lan to "
    "open it to the network"
)


class DashboardSource:
    """What the pages read: the history, the functions, where to send a replay (callables: known
    only once the core has started)."""

    def __init__(
        self,
        history: RequestHistory,
        base_url: Callable[[], str | None],
        *,
        function_names: Callable[[], list[str]],
        allow_lan: bool,
        functions: FunctionsSource | None = None,
        secrets: SecretsSource | None = None,
    ) -> None:
        self.history = history
        self._base_url = base_url
        self._function_names = function_names
        self.allow_lan = allow_lan
        self.functions = functions  # /_emulator/functions (none: not served)
        self.secrets = secrets  # /_emulator/secrets (none: not served)

    @property
    def base_url(self) -> str | None:
        return self._base_url()

    @property
    def function_names(self) -> list[str]:
        return self._function_names()


def register_dashboard(app: Flask, core: EmulatorCore) -> None:
    """The dashboard's pages and API on ``app``, over ``core`` (nothing with ``--no-dashboard``)."""
    if core.history is None:
        return

    def function_names() -> list[str]:
        return sorted(core.runtime.function_names) if core.runtime is not None else []

    source = DashboardSource(
        core.history,
        lambda: core.url,
        function_names=function_names,
        allow_lan=core.options.dashboard_allow_lan,
        functions=FunctionsSource(lambda: core.app.functions if core.app else {}, lambda: core.runtime),
        secrets=SecretsSource(core.aws_client, lambda: core.aws_endpoint),
    )
    bp = dashboard_blueprint(source)
    tables = TableBrowser(lambda: core.aws_client("dynamodb"), lambda: template_table_names(core.app))
    add_table_routes(bp, tables)  # /_emulator/tables and /_emulator/api/tables
    app.register_blueprint(bp)
    app.extensions[EMAILS_PAGE] = emails_page(source)


def emails_page(source: DashboardSource) -> Callable[[list[dict[str, Any]]], Response | str]:
    """``GET /_emulator/emails`` for a browser (the emails blueprint asks): each email rendered,
    its HTML in a sandboxed iframe (no scripts, no same-origin), a 6-digit code shown large."""

    def render(listed: list[dict[str, Any]]) -> Response | str:
        if not (source.allow_lan or _is_loopback(request.remote_addr)):
            return error_response(403, "dashboard_loopback_only", LAN_REFUSED)
        emails = [{**email, "codes": _codes(email)} for email in reversed(listed)]
        return render_template("dashboard/emails.html", emails=emails, to=request.args.get("to", ""))

    return render


def _codes(email: dict[str, Any]) -> list[str]:
    """The 6-digit codes in an email's subject and text (its HTML's text when it has no text)."""
    text = " ".join(str(email.get(key) or "") for key in ("subject", "text"))
    if not email.get("text") and email.get("html"):
        text += " " + re.sub(r"<[^>]+>", " ", str(email["html"]))
    return list(dict.fromkeys(SIX_DIGITS.findall(text)))


def dashboard_blueprint(source: DashboardSource) -> Blueprint:
    bp = Blueprint(
        "emulator_dashboard",
        __name__,
        url_prefix="/_emulator",
        template_folder=str(HERE / "templates"),
        static_folder=str(HERE / "static"),
        static_url_path="/static",
    )
    history = source.history

    @bp.before_request
    def loopback_only() -> Response | None:
        if source.allow_lan or _is_loopback(request.remote_addr):
            return None
        return error_response(403, "dashboard_loopback_only", LAN_REFUSED)

    # -- JSON API ----------------------------------------------------------------------------------

    @bp.get("/api/requests")
    def list_requests() -> Response:
        try:
            filters = _filters(request.args)
        except ValueError as exc:
            return error_response(400, "validation_error", str(exc))
        rows = [views.summary(record) for record in history.newest_first()]
        return _no_store(jsonify({"requests": _filtered(rows, filters), "sequence": history.sequence}))

    @bp.get("/api/requests/<request_id>")
    def get_request(request_id: str) -> Response:
        record = history.get(request_id)
        if record is None:
            return _not_kept(request_id)
        return _no_store(jsonify(views.detail(record, reveal=_reveal())))

    @bp.post("/api/requests/<request_id>/replay")
    def replay_request(request_id: str) -> Response:
        record = history.get(request_id)
        if record is None:
            return _not_kept(request_id)
        if source.base_url is None:
            return error_response(503, "not_serving", "the gateway is not serving yet")
        try:
            new_id, status = replay(record, source.base_url)
        except ReplayError as exc:
            return error_response(exc.status, "replay_failed", str(exc))
        if history.wait_for(new_id, REPLAYED_RECORD_WAIT_S) is not None:
            history.note_replay(new_id, of=request_id)
        response = jsonify({"requestId": new_id, "status": status, "replayOf": request_id})
        response.status_code = 201
        return _no_store(response)

    @bp.get("/api/events")
    def events() -> Response:
        after = _last_event_id(history.sequence)
        if after is None:
            return error_response(400, "validation_error", "Last-Event-ID / after must be a whole number")
        sequence, records = history.wait_for_newer(after, EVENTS_WAIT_S)
        lines = [f"retry: {EVENTS_RETRY_MS}\n"]
        first = sequence - len(records) + 1
        for offset, record in enumerate(records):
            lines.append(
                f"id: {first + offset}\nevent: request\ndata: {json.dumps(views.summary(record))}\n\n"
            )
        if not records:
            lines.append(f"id: {sequence}\n: no new request\n\n")
        response = Response("".join(lines), mimetype="text/event-stream")
        return _no_store(response)

    # -- pages -------------------------------------------------------------------------------------

    @bp.get("/")
    @bp.get("/requests")
    def requests_page() -> str:
        try:
            filters = _filters(request.args)
        except ValueError as exc:
            abort(400, str(exc))
        rows = _filtered([views.summary(record) for record in history.newest_first()], filters)
        return render_template(
            "dashboard/requests.html",
            rows=rows,
            filters=filters,
            status_classes=STATUS_CLASSES,
            functions=source.function_names,
            sequence=history.sequence,
            capacity=history.capacity,
        )

    @bp.get("/requests/<request_id>")
    def request_page(request_id: str) -> tuple[str, int] | str:
        record = history.get(request_id)
        if record is None:
            return render_template("dashboard/missing.html", request_id=request_id), 404
        reveal = _reveal()
        shown = views.detail(record, reveal=reveal)
        return render_template("dashboard/request.html", r=shown, reveal=reveal, as_json=views.as_json)

    if source.functions is not None:
        add_function_routes(bp, source.functions)
    if source.secrets is not None:
        add_secret_routes(bp, source.secrets)
    return bp


def _filters(args: Any) -> dict[str, Any]:
    status = args.get("status", "").strip().lower()
    if status and status not in STATUS_CLASSES:
        raise ValueError(f"status must be one of {', '.join(STATUS_CLASSES)}")
    try:
        limit = int(args.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise ValueError("limit must be a whole number") from None
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return {
        "status": status,
        "path": args.get("path", "").strip(),
        "function": args.get("function", "").strip(),
        "limit": limit,
    }


def _filtered(rows: list[dict[str, Any]], filters: dict[str, Any]) -> list[dict[str, Any]]:
    status, path, function = filters["status"], filters["path"], filters["function"]
    kept = [
        row
        for row in rows
        if (not status or (row["status"] is not None and views.status_class(row["status"]) == status))
        and (not path or path in row["path"])
        and (not function or row["function"] == function)
    ]
    return kept[: filters["limit"]]


def _reveal() -> bool:
    return request.args.get("reveal", "") in ("1", "true", "yes")


def _last_event_id(current: int) -> int | None:
    text = request.headers.get("Last-Event-ID") or request.args.get("after")
    if text is None or text == "":
        return current  # a new client: from now on
    try:
        after = int(text)
    except ValueError:
        return None
    # From an earlier run of serve (its ids went further): from now on.
    return current if after > current or after < 0 else after


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _not_kept(request_id: str) -> Response:
    return error_response(
        404, "request_not_found", f"request {request_id} is not in the history (never seen, or dropped)"
    )


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
