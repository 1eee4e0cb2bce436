"""What the pytest plugin's fixtures hand out (:mod:`emulator.pytest_plugin`): clients of a SAM
app under test, running in this process (:mod:`emulator.flask_app`) or elsewhere (a URL).

Kept apart from the plugin so that they can be used without pytest, and so that importing the
plugin (which pytest does for every test run that lists it) costs nothing.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from emulator.http_json import request_json

if TYPE_CHECKING:
    import requests
    from flask import Flask
    from flask.testing import FlaskClient

    from emulator.flask_app import FlaskEmulator

TIMEOUT_S = 30.0


class NotEmbedded(RuntimeError):
    """Asked of a SAM app under test that does not run in this process (``--sam-base-url``)."""


def _base_url_session(base_url: str) -> requests.Session:
    import requests

    class BaseUrlSession(requests.Session):
        """A ``requests.Session`` bound to the API: a path (``/auth/login``) is relative to it,
        and every request has a timeout (30 s) unless given one."""

        def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
            if isinstance(url, str) and url.startswith("/"):
                url = base_url + url
            kwargs.setdefault("timeout", TIMEOUT_S)
            return super().request(method, url, *args, **kwargs)

    return BaseUrlSession()


class SamApi:
    """``sam_api``: the API under test. ``base_url`` (with the stage), ``session`` (a
    ``requests.Session`` bound to it: ``sam_api.session.get("/auth/validate")``, or
    ``sam_api.get(...)`` for short), ``flask_client`` (the in-process Flask test client)."""

    def __init__(self, base_url: str, *, app: Flask | None = None, log_path: Path | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.root_url = f"{parts.scheme}://{parts.netloc}"  # no stage: where /_emulator/ is
        self.app = app
        self.log_path = log_path
        self.session = _base_url_session(self.base_url)
        self._flask_client: FlaskClient | None = None

    @property
    def embedded(self) -> bool:
        """Whether the app runs in this process (else it is a running or deployed stack)."""
        return self.app is not None

    @property
    def emulator(self) -> FlaskEmulator:
        """The app's ``app.emulator`` (:class:`~emulator.flask_app.FlaskEmulator`)."""
        return self._app().extensions["emulator"]

    @property
    def flask_client(self) -> FlaskClient:
        """The Flask test client of the app (in process, no port); one per session."""
        if self._flask_client is None:
            self._flask_client = self._app().test_client()
        return self._flask_client

    def _app(self) -> Flask:
        if self.app is None:
            raise NotEmbedded(
                f"the SAM app under test runs elsewhere ({self.base_url}, --sam-base-url): "
                "only an app started by the plugin has a Flask client, logs or AWS endpoint here"
            )
        return self.app

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.put(path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.patch(path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.delete(path, **kwargs)

    def log_text(self) -> str:
        """Everything the emulator logged this session (requests, functions, gateway, AWS)."""
        self.emulator.flush()  # the lines written just after the last answers are in now
        assert self.log_path is not None
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        self.session.close()
        if self.app is not None:
            self.emulator.close()


class SamAws:
    """``sam_aws``: the AWS endpoint the functions use, and boto3 clients for it
    (``sam_aws.client("dynamodb")``: their DynamoDB, which may be another endpoint)."""

    def __init__(self, emulator: FlaskEmulator) -> None:
        self._emulator = emulator
        self.endpoint_url = emulator.aws_endpoint
        self.dynamodb_endpoint_url = emulator.dynamodb_endpoint
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str) -> Any:
        """A boto3 client (made once per service: it is thread-safe)."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._emulator.aws_client(service)
            return self._clients[service]


class SamEmails:
    """``sam_emails``: the emails SES caught (``GET /_emulator/emails``), oldest first, as
    ``{id, timestamp, from, to, cc, bcc, subject, text, html}``."""

    def __init__(self, root_url: str) -> None:
        self.url = root_url.rstrip("/") + "/_emulator/emails"

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """Every email, or those sent to ``to`` (To, Cc or Bcc, in any case)."""
        url = self.url + (f"?{urlencode({'to': to})}" if to else "")
        status, emails = request_json(url, timeout_s=TIMEOUT_S)
        if status != 200 or not isinstance(emails, list):
            raise AssertionError(
                f"GET {url} answered HTTP {status}: the target serves no emulator email catcher "
                "(a deployed stage has none)"
            )
        return emails

    def latest(self, to: str) -> dict[str, Any]:
        """The last email sent to ``to``; AssertionError when there is none."""
        emails = self.messages(to)
        if not emails:
            raise AssertionError(f"no email was sent to {to}")
        return emails[-1]


class LambdaLogs(logging.Handler):
    """``sam_logs``: the functions' log lines (``emulator.lambda``: START, the handler's output,
    END, REPORT) since the current test started."""

    def __init__(self, emulator: FlaskEmulator) -> None:
        super().__init__(logging.INFO)
        self._emulator = emulator
        self._lines: list[str] = []
        self._lines_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        lines = record.getMessage().split("\n")
        with self._lines_lock:
            self._lines.extend(lines)

    def clear(self) -> None:
        """Forget what was logged so far (the previous test's lines, late ones included)."""
        self._emulator.flush()
        with self._lines_lock:
            self._lines.clear()

    @property
    def lines(self) -> list[str]:
        self._emulator.flush()  # a function's END/REPORT is written just after its answer
        with self._lines_lock:
            return list(self._lines)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def __contains__(self, text: str) -> bool:
        return text in self.text
