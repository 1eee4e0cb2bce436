"""One AWS API call as the embedded endpoint sees it: enough to classify, journal and replay it.

AWS SDKs speak three protocols to the services we embed: JSON with an ``X-Amz-Target`` header
(DynamoDB, Secrets Manager, SSM), the query protocol with ``Action=...`` in a form body (SES v1)
and REST paths (SES v2). The signing service and region come from the SigV4 ``Authorization``
header's credential scope (``Credential=AKID/DATE/REGION/SERVICE/aws4_request``).
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

# Header names (WSGI environ keys) that a replay needs: the credential scope picks the service,
# region and account; the target/content type pick the action and how moto parses the body.
_KEPT_HEADERS = {
    "HTTP_AUTHORIZATION": "Authorization",
    "HTTP_X_AMZ_TARGET": "X-Amz-Target",
    "CONTENT_TYPE": "Content-Type",
    "HTTP_HOST": "Host",
    "HTTP_X_MOTO_ACCOUNT_ID": "x-moto-account-id",
}

# Actions that never change state. Everything else that succeeds is journaled; a mutating call
# mistaken for a read would be lost on restart, a read mistaken for a write only costs a line.
_READ_PREFIXES = ("Get", "List", "Describe", "BatchGet", "Query", "Scan", "TransactGet")
_READ_ACTIONS = frozenset({"GetRandomPassword", "ValidateResourcePolicy"})


@dataclass(frozen=True)
class AwsRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    service: str = ""  # signing name: "dynamodb", "secretsmanager", "ssm", "ses"...
    region: str = ""
    action: str = ""  # "PutItem", "CreateSecret", "SendEmail", or "POST /v2/email/outbound-emails"
    _json: list[Any] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> AwsRequest:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {name: environ[key] for key, name in _KEPT_HEADERS.items() if environ.get(key)}
        return cls.build(
            method=environ.get("REQUEST_METHOD", "GET"),
            path=environ.get("PATH_INFO", "/"),
            query=environ.get("QUERY_STRING", ""),
            headers=headers,
            body=body,
        )

    @classmethod
    def build(cls, *, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> AwsRequest:
        service, region = _credential_scope(headers.get("Authorization", ""))
        target = headers.get("X-Amz-Target", "")
        if target:
            action = target.rsplit(".", 1)[-1]
            if not service:
                service = target.split("_", 1)[0].split(".", 1)[0].lower()
        elif headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
        else:
            action = f"{method} {path}"
        return cls(method, path, query, headers, body, service, region, action)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> AwsRequest:
        body = base64.b64decode(record["body_b64"]) if "body_b64" in record else record["body"].encode()
        return cls.build(
            method=record["method"],
            path=record["path"],
            query=record["query"],
            headers=record["headers"],
            body=body,
        )

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
        }
        # Bodies of these protocols are UTF-8 text (JSON or form-encoded), which keeps the journal
        # readable; anything else is kept exactly, in base64.
        try:
            record["body"] = self.body.decode("utf-8")
        except UnicodeDecodeError:
            record["body_b64"] = base64.b64encode(self.body).decode("ascii")
        return record

    @property
    def is_read(self) -> bool:
        if " " in self.action:  # REST protocol: the HTTP method says it
            return self.method in ("GET", "HEAD", "OPTIONS")
        return self.action in _READ_ACTIONS or self.action.startswith(_READ_PREFIXES)

    def json(self) -> dict[str, Any]:
        """The body parsed as JSON (cached); {} when it is not JSON."""
        if not self._json:
            try:
                parsed = json.loads(self.body) if self.body else {}
            except ValueError:
                parsed = {}
            self._json.append(parsed if isinstance(parsed, dict) else {})
        return self._json[0]

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def to_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.method,
            "PATH_INFO": self.path,
            "QUERY_STRING": self.query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SCRIPT_NAME": "",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(self.body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(self.body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for key, name in _KEPT_HEADERS.items():
            if name in self.headers:
                environ[key] = self.headers[name]
        environ.setdefault("HTTP_HOST", "localhost")
        return environ


@dataclass(frozen=True)
class AwsResponse:
    status: str  # "200 OK"
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_code(self) -> int:
        return int(self.status.split(" ", 1)[0])

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    def json(self) -> dict[str, Any]:
        try:
            parsed = json.loads(self.body) if self.body else {}
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    def to_record(self) -> dict[str, Any]:
        return {"status": self.status, "headers": self.headers, "body": self.body.decode("utf-8")}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> AwsResponse:
        headers = [(str(k), str(v)) for k, v in record["headers"]]
        return cls(record["status"], headers, record["body"].encode("utf-8"))

    @classmethod
    def json_error(cls, status: str, error_type: str, message: str) -> AwsResponse:
        """An error in the awsJson protocol shape that botocore parses into ``Error.Code``."""
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{error_type}", "message": message})
        return cls(status, [("Content-Type", "application/x-amz-json-1.0")], body.encode())


def _credential_scope(authorization: str) -> tuple[str, str]:
    """(service, region) from ``AWS4-HMAC-SHA256 Credential=AKID/20260101/REGION/SERVICE/aws4_request``."""
    marker = authorization.find("Credential=")
    if marker < 0:
        return "", ""
    scope = authorization[marker + len("Credential=") :].split(",", 1)[0].strip()
    parts = scope.split("/")
    if len(parts) != 5:
        return "", ""
    return parts[3].lower(), parts[2]
