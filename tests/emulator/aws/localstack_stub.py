"""A stand-in for LocalStack's ``GET /_aws/ses`` (LocalStack itself, on Python 3.12+, runs only in
``make test-targets``' ``localstack`` target, which reads this endpoint after the suite).

It answers what LocalStack's SES provider records for each sent message
(``localstack/services/ses/provider.py``, ``save_for_retrospection``; LocalStack docs, "Simple Email
Service", "Sent Emails"): ``{"messages": [...]}``, and 404 for any other path.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

LOCALSTACK_MESSAGES = [
    {
        "Id": "mxfthwwscyulscvr-hcxdfclb-vfxy-aglj-oovq-knnvxluzlvds-erzqjg",
        "Timestamp": "2025-09-22T09:59:42",
        "Region": "eu-central-1",
        "Source": "admin@localstack.com",
        "Destination": {"ToAddresses": ["Ops@Example.com"], "CcAddresses": ["cc@example.com"]},
        "Subject": "Reset your password",
        "Body": {"text_part": "code 123456", "html_part": None},
    },
    {
        "Id": "raw-1",
        "Timestamp": "2025-09-22T10:00:00",
        "Region": "us-east-1",
        "Source": "noreply@example.com",
        "RawData": "From: App <noreply@example.com>\nTo: raw@example.com\nSubject: Raw one\n"
        'Content-Type: text/html; charset="utf-8"\n\n<p>hi</p>\n',
    },
    {
        "Id": "tpl-1",
        "Timestamp": "2025-09-22T10:00:01",
        "Source": "noreply@example.com",
        "Template": "welcome",
        "TemplateData": '{"name": "Ada"}',
        "Destination": {"ToAddresses": ["tpl@example.com"]},
    },
]


class LocalStackStub:
    """An HTTP server answering ``routes[path]`` as JSON (404 for anything else), on a free port."""

    def __init__(self, routes: dict[str, Any]) -> None:
        self.routes = routes
        self.requests: list[str] = []
        self._stopped = False

        @Request.application
        def app(request: Request) -> Response:
            self.requests.append(request.path)
            if request.path not in self.routes:
                return Response("no such route", status=404)
            return Response(json.dumps(self.routes[request.path]), content_type="application/json")

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> LocalStackStub:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop it (connections are refused from then on); stopping twice is harmless."""
        if not self._stopped:
            self._stopped = True
            self.server.shutdown()
            self.server.server_close()
