"""Read the emails an AWS endpoint has "sent": the embedded endpoint's outbox, or LocalStack's record.

The embedded endpoint lists them at ``GET /_emulator/emails``; LocalStack keeps every SES message
for retrospection at ``GET /_aws/ses`` (``{"messages": [...]}``, LocalStack docs, "Simple Email
Service": "Sent Emails"). Which one an endpoint is, is found by asking (the compose topology's
stand-in for LocalStack is an embedded endpoint) and then remembered. Used by serve's
``GET /_emulator/emails``, ``python -m emulator emails`` and ``scripts/compose_inspect.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from emulator.aws.emails import from_localstack, sent_to
from emulator.http_json import Unreachable, request_json

EMULATOR_PATH = "/_emulator/emails"
LOCALSTACK_PATH = "/_aws/ses"


class SentEmailsError(Exception):
    """The emails cannot be read; ``status`` is what a proxy answers (502 bad answer, 503 unreachable)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _emulator_listing(document: Any) -> list[dict[str, Any]] | None:
    return document if isinstance(document, list) else None


def _localstack_listing(document: Any) -> list[dict[str, Any]] | None:
    messages = document.get("messages") if isinstance(document, dict) else None
    if not isinstance(messages, list):
        return None
    return [from_localstack(m) for m in messages if isinstance(m, dict)]


_KINDS: dict[str, tuple[str, Callable[[Any], list[dict[str, Any]] | None]]] = {
    "emulator": (EMULATOR_PATH, _emulator_listing),
    "localstack": (LOCALSTACK_PATH, _localstack_listing),
}


class SentEmails:
    def __init__(self, endpoint_url: str, *, localstack_first: bool = False, timeout_s: float = 10.0) -> None:
        """``localstack_first``: ask LocalStack's path first (an external endpoint usually is LocalStack)."""
        if not endpoint_url.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) endpoint URL, got {endpoint_url!r}")
        self.endpoint_url = endpoint_url.rstrip("/")
        self.timeout_s = timeout_s
        self._order = ["localstack", "emulator"] if localstack_first else ["emulator", "localstack"]
        self._lock = threading.Lock()

    def list(self, to: str | None = None) -> list[dict[str, Any]]:
        """Oldest first, only those sent to ``to`` (To, Cc or Bcc) when given."""
        with self._lock:
            order = list(self._order)
        for kind in order:
            path, convert = _KINDS[kind]
            emails = convert(self._get(path))
            if emails is not None:
                with self._lock:
                    self._order = [kind]  # this is what the endpoint is
                return sent_to(emails, to)
        raise SentEmailsError(
            502,
            f"the AWS endpoint at {self.endpoint_url} keeps no record of sent emails "
            f"(neither {EMULATOR_PATH} nor LocalStack's {LOCALSTACK_PATH} answers)",
        )

    def _get(self, path: str) -> Any:
        """The JSON document at ``path``; None when the endpoint does not serve it (4xx, not JSON)."""
        try:
            status, document = request_json(self.endpoint_url + path, timeout_s=self.timeout_s)
        except Unreachable:
            raise SentEmailsError(
                503, f"the AWS endpoint at {self.endpoint_url} does not answer; is it running?"
            ) from None
        if 400 <= status < 500:
            return None
        if status >= 300:
            raise SentEmailsError(502, f"the AWS endpoint at {self.endpoint_url} answered HTTP {status}")
        return document
