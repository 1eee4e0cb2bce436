"""The embedded AWS endpoint as a WSGI app: moto behind one lock, with a journal and extras.

moto's backends are plain dicts and lists mutated without locking, and a conditional write is a
read-check-write sequence in Python: two threads can both pass ``attribute_not_exists(pk)``.
DynamoDB guarantees that a condition and its write are atomic, so every request runs under one
lock (reads too: moto's reads iterate dicts that writes resize). Finer locks would buy nothing:
moto's request handling is pure Python, already serialised by the GIL; benchmarks/dynamodb.py
compares the throughput with moto's bare server.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.utilities.id_generator import moto_id_manager

from emulator import log
from emulator.aws import dynamodb_fidelity, moto_fixes, portable_state
from emulator.aws.emails import email_from, is_send, listing_filter, normalized, sent_to
from emulator.aws.idempotency import TransactionTokens
from emulator.aws.persistence import Persistence
from emulator.aws.portable_services import arn_identifier
from emulator.aws.requests import AwsRequest, AwsResponse
from emulator.aws.snapshots import Snapshot, encode_document

ADMIN_PREFIX = "/_emulator/"
# Signing names of the services served. moto would answer for ~150 services, but only these are
# captured by snapshots (emulator.aws.portable_state); anything else would silently lose its data at the
# first compaction, so it is refused with a clear message instead. STS is stateless.
SERVED_SERVICES = frozenset({"dynamodb", "secretsmanager", "ssm", "ses", "sts"})
_LOG = logging.getLogger(log.AWS_ENDPOINT)


class EmbeddedEndpointApp:
    def __init__(self, *, persistence: Persistence | None = None) -> None:
        self._moto = DomainDispatcherApplication(create_backend_app)
        # moto's dispatcher works out the service of every request from its headers again, a
        # quarter of a GetItem's time (list_of_moto_modules() runs ~50 times per request); the
        # answer only depends on what this key holds, so it is remembered.
        self._service_apps: dict[tuple[str, str, str, bool], Any] = {}
        self.lock = threading.RLock()  # re-entrant, so that helpers holding it may call execute()
        self.persistence = persistence
        self.tokens = TransactionTokens()
        self.outbox: list[dict[str, Any]] = []
        self.sweep_ttl: Any = None  # set by the server: () -> int
        self.ttl_sweeper: Any = None  # set by the server: its TtlSweeper (the emulator clock's offset)
        self._transaction_backups = moto_fixes.TransactionBackups()
        self._transaction_backups.install()

    # -- WSGI ------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(ADMIN_PREFIX):
            response = self._admin(environ)
        else:
            request = AwsRequest.from_environ(environ)
            if request.service in SERVED_SERVICES:
                response = self.execute(request)
            else:
                response = AwsResponse.json_error(
                    "400 Bad Request",
                    "UnsupportedServiceException",
                    f"the embedded AWS endpoint serves DynamoDB, Secrets Manager, SSM and SES, "
                    f"not {request.service or 'unsigned requests'}",
                )
        headers = [(k, v) for k, v in response.headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(response.body))))  # lets HTTP/1.1 keep-alive work
        start_response(response.status, headers)
        return [response.body]

    # -- AWS requests ----------------------------------------------------------------------------
    def execute(self, request: AwsRequest) -> AwsResponse:
        if request.is_read:
            with self.lock:  # moto's reads iterate dicts that a concurrent write may resize
                return self._call_moto(request)
        token = TransactionTokens.token_of(request)
        with self.lock:
            if token is not None:
                earlier = self.tokens.lookup(token, request)
                if earlier is not None:
                    return earlier
            response = self._call_moto(request)
            if response.ok:
                moto_fixes.after_write(request)
                try:
                    self._acknowledge_write(request, response, token)
                except OSError as exc:  # e.g. disk full: not journaled, so not acknowledged
                    _LOG.error("cannot journal %s: %s", request.action, exc)
                    return AwsResponse.json_error(
                        "500 Internal Server Error", "InternalServerError", str(exc)
                    )
        return response

    def _acknowledge_write(self, request: AwsRequest, response: AwsResponse, token: str | None) -> None:
        """Runs under the lock, before the response is returned: journal order = apply order."""
        now = time.time()
        record: dict[str, Any] = {"request": request.to_record()}
        if token is not None:
            self.tokens.remember(token, request, response, now)
            record["token"] = self.tokens.record(token)
        if is_send(request):
            email = email_from(request, response)
            self.outbox.append(email)
            record["email"] = email
        if request.service == "secretsmanager" and request.action == "CreateSecret":
            # moto draws the ARN's 6-character suffix at random; a replay must give the same ARN
            # back, since clients (and function environments) hold it.
            record["secret_arn"] = response.json().get("ARN")
        weight = _item_writes(request)
        if weight > 1:
            record["weight"] = weight
        if self.persistence is not None and self.persistence.append(record, weight):
            self.persistence.compact_in_background(self.capture)

    def _call_moto(self, request: AwsRequest) -> AwsResponse:
        """Caller holds the lock."""
        if request.service == "dynamodb" and request.action == "TransactWriteItems":
            items = request.json().get("TransactItems")
            self._transaction_backups.transact_items = items if isinstance(items, list) else None
        try:
            return dynamodb_fidelity.handle(request, self._call_moto_app)
        finally:
            self._transaction_backups.transact_items = None

    def _call_moto_app(self, request: AwsRequest) -> AwsResponse:
        captured: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured[:] = [status, headers]

        environ = request.to_environ()
        key = (
            request.service,
            request.region,
            request.headers.get("X-Amz-Target", "").split(".", 1)[0],
            request.path.startswith("/v2/"),
        )
        service_app = self._service_apps.get(key)
        if service_app is None:
            service_app = self._service_apps[key] = self._moto.get_application(environ)
        chunks = service_app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return AwsResponse(captured[0], list(captured[1]), body)

    def warm_up(self, request: AwsRequest) -> None:
        """Create moto's app for the request's service (imports its models) without the lock."""
        self._moto.get_application(request.to_environ())

    # -- persistence -----------------------------------------------------------------------------
    def capture(self) -> dict[str, Any]:
        """The whole state as the portable document (caller holds the lock, or is a snapshot's child)."""
        return portable_state.capture(self.tokens.to_state(), list(self.outbox))

    def restore(self, document: dict[str, Any], *, validate: bool) -> None:
        """Load a portable document into an empty endpoint (a snapshot, or an import to check)."""
        with self.lock:
            portable_state.restore(document, self._call_moto, validate=validate)
            self.tokens.load_state(document.get("idempotencyTokens") or [])
            self.outbox.extend(normalized(email) for email in document.get("sentEmails") or [])

    def load(self, snapshot: Snapshot | None, records: Iterator[dict[str, Any]]) -> int:
        """Restore a snapshot and replay the journal after it; returns the number replayed."""
        # Loading creates a few hundred thousand objects at once: the cyclic GC would scan them
        # again and again while they are created (it doubled the load time of 10,000 items).
        # Frozen afterwards, they are skipped by every later collection too.
        gc.disable()
        try:
            with self.lock:
                if snapshot is not None and snapshot.document is not None:
                    self.restore(snapshot.document, validate=False)
                elif snapshot is not None and snapshot.legacy_payload is not None:
                    from emulator.aws import legacy_snapshot

                    payload = snapshot.legacy_payload
                    legacy_snapshot.restore(payload["backends"])
                    self.tokens.load_state(payload["tokens"])
                    self.outbox.extend(normalized(email) for email in payload["outbox"])
                replayed = 0
                for record in records:
                    self._replay(record)
                    replayed += 1
        finally:
            gc.enable()
        gc.freeze()
        return replayed

    def _replay(self, record: dict[str, Any]) -> None:
        request = AwsRequest.from_record(record["request"])
        identifier = arn_identifier(record.get("secret_arn"))
        if identifier is not None:
            moto_id_manager.set_custom_id(identifier[0], identifier[1])
        try:
            response = self._call_moto(request)
        finally:
            if identifier is not None:
                moto_id_manager.unset_custom_id(identifier[0])
        if response.ok:
            moto_fixes.after_write(request)
        else:  # it succeeded when journaled; say so rather than hide a divergence
            _LOG.warning(
                "replay of %s %s answered %s: %r",
                request.service,
                request.action,
                response.status,
                response.body[:200],
            )
        if "token" in record:
            self.tokens.restore_record(record["token"])
        if "email" in record:
            self.outbox.append(normalized(record["email"]))

    # -- /_emulator/ -----------------------------------------------------------------------------
    def _admin(self, environ: dict[str, Any]) -> AwsResponse:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")[len(ADMIN_PREFIX) :].rstrip("/")
        if path == "health" and method == "GET":
            return _json_response("200 OK", {"status": "ok"})
        if path == "emails" and method == "GET":
            try:
                to = listing_filter(parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True))
            except ValueError as exc:
                return _json_response(
                    "400 Bad Request", {"error": {"code": "validation_error", "message": str(exc)}}
                )
            with self.lock:
                emails = list(self.outbox)
            return _json_response("200 OK", sent_to(emails, to))
        if path == "export" and method == "GET":  # `python -m emulator export` while it runs
            with self.lock:
                document = self.capture()
            return AwsResponse("200 OK", [("Content-Type", "application/json")], encode_document(document))
        if path == "ttl/sweep" and method == "POST":
            return _json_response("200 OK", {"deleted": self.sweep_ttl() if self.sweep_ttl else 0})
        if path == "clock" and self.ttl_sweeper is not None:
            return self._clock(method, environ)
        return _json_response(
            "404 Not Found", {"message": f"no emulator route {method} /{ADMIN_PREFIX}{path}"}
        )

    def _clock(self, method: str, environ: dict[str, Any]) -> AwsResponse:
        """serve's clock offset (``{"offsetSeconds": N}``), for the TTL sweep: it sweeps at once."""
        if method == "GET":
            return _json_response("200 OK", {"offsetSeconds": self.ttl_sweeper.clock_offset_s})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            offset = json.loads(environ["wsgi.input"].read(length) or b"null")["offsetSeconds"]
            if isinstance(offset, bool) or not isinstance(offset, int | float) or offset < 0:
                raise ValueError(offset)
        except (ValueError, TypeError, KeyError):
            return _json_response(
                "400 Bad Request",
                {"error": {"code": "validation_error", "message": 'expected {"offsetSeconds": N >= 0}'}},
            )
        deleted = self.ttl_sweeper.follow_clock(float(offset))
        return _json_response("200 OK", {"offsetSeconds": float(offset), "deleted": deleted})


def _item_writes(request: AwsRequest) -> int:
    """How many item writes a request makes (what its replay costs)."""
    if request.service == "dynamodb" and request.action == "BatchWriteItem":
        return max(1, sum(len(v) for v in (request.json().get("RequestItems") or {}).values()))
    if request.service == "dynamodb" and request.action == "TransactWriteItems":
        return max(1, len(request.json().get("TransactItems") or []))
    return 1


def _json_response(status: str, body: dict[str, Any] | list[Any]) -> AwsResponse:
    return AwsResponse(status, [("Content-Type", "application/json")], json.dumps(body).encode())
