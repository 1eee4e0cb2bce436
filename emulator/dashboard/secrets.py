"""``/_emulator/secrets``: the Secrets Manager secrets and SSM parameters of serve's AWS endpoint.

- ``GET /_emulator/secrets``: the page; every value masked, each with a **Reveal** button that
  fetches that one value (``?reveal=1&secret=NAME``): unmasked values are never in its HTML;
- ``GET /_emulator/api/secrets``: ``{"endpoint", "secrets": [...], "parameters": [...]}``, values
  masked; ``?reveal=1`` shows them, ``&secret=NAME`` or ``&parameter=NAME`` narrows to one (404
  when there is none).

Read with boto3 from the endpoint the functions use (the embedded one, or ``AWS_ENDPOINT_URL``'s
LocalStack...), never from moto's internals, so it shows what any endpoint holds. A secret's
value is its ``AWSCURRENT`` version's (GetSecretValue's default), with every version's staging
labels listed; a ``SecureString`` parameter is decrypted (``WithDecryption``) only when revealed.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from emulator.dashboard.masking import MASK
from emulator.idp.blueprint import error_response

ClientFactory = Callable[[str], Any]  # service name -> a boto3 client for serve's AWS endpoint


class SecretsError(Exception):
    """The endpoint could not answer: ``status`` and ``code`` for the API's error."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class SecretsSource:
    """Reads the endpoint's secrets and parameters; its boto3 clients are made once (thread-safe)."""

    def __init__(self, client: ClientFactory, endpoint: Callable[[], str]) -> None:
        self._make_client = client
        self._endpoint = endpoint
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return self._endpoint()

    def secrets(self, *, name: str | None = None, reveal: bool = False) -> list[dict[str, Any]]:
        """Every secret (or the one named), newest listing order kept, values masked unless ``reveal``."""
        client = self._client("secretsmanager")
        filters = [{"Key": "name", "Values": [name]}] if name else []
        listed = self._call(
            lambda: [
                entry
                for page in client.get_paginator("list_secrets").paginate(Filters=filters)
                for entry in page["SecretList"]
            ]
        )
        if name is not None:  # the name filter matches prefixes: keep the exact one
            listed = [entry for entry in listed if entry["Name"] == name]
        shown = [_secret_view(entry) for entry in sorted(listed, key=lambda entry: entry["Name"])]
        for entry in shown:
            entry.update(self._secret_value(client, entry["arn"]) if reveal else _masked())
        return shown

    def parameters(self, *, name: str | None = None, reveal: bool = False) -> list[dict[str, Any]]:
        """Every SSM parameter (or the one named), values masked unless ``reveal``."""
        client = self._client("ssm")
        filters = [{"Key": "Name", "Option": "Equals", "Values": [name]}] if name else []
        listed = self._call(
            lambda: [
                entry
                for page in client.get_paginator("describe_parameters").paginate(ParameterFilters=filters)
                for entry in page["Parameters"]
            ]
        )
        shown = [_parameter_view(entry) for entry in sorted(listed, key=lambda entry: entry["Name"])]
        for entry in shown:
            entry.update(self._parameter_value(client, entry["name"]) if reveal else _masked())
        return shown

    def _secret_value(self, client: Any, arn: str) -> dict[str, Any]:
        answer = self._call(lambda: client.get_secret_value(SecretId=arn))  # AWSCURRENT
        if "SecretString" in answer:
            value, encoding = answer["SecretString"], "text"
        else:
            value, encoding = base64.b64encode(answer.get("SecretBinary", b"")).decode("ascii"), "base64"
        return {
            "value": value,
            "encoding": encoding,
            "masked": False,
            "shownVersionId": answer.get("VersionId"),
        }

    def _parameter_value(self, client: Any, name: str) -> dict[str, Any]:
        answer = self._call(lambda: client.get_parameter(Name=name, WithDecryption=True))
        return {"value": answer["Parameter"]["Value"], "encoding": "text", "masked": False}

    def _client(self, service: str) -> Any:
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                client = self._clients[service] = self._make_client(service)
            return client

    def _call(self, call: Callable[[], Any]) -> Any:
        """One call to the endpoint; its failure as a :class:`SecretsError` (the AWS error code
        only, never the exception's text)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return call()
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
            if code in ("ResourceNotFoundException", "ParameterNotFound"):
                raise SecretsError(404, "not_found", f"the AWS endpoint has no such {_what(code)}") from None
            raise SecretsError(
                502, "aws_error", f"the AWS endpoint at {self.endpoint} answered {code}"
            ) from None
        except BotoCoreError:
            raise SecretsError(
                502, "aws_endpoint_unreachable", f"could not reach the AWS endpoint at {self.endpoint}"
            ) from None


def _what(code: str) -> str:
    return "parameter" if code == "ParameterNotFound" else "secret"


def _masked() -> dict[str, Any]:
    return {"value": MASK, "masked": True}


def _secret_view(entry: dict[str, Any]) -> dict[str, Any]:
    versions = entry.get("SecretVersionsToStages") or {}
    return {
        "name": entry["Name"],
        "arn": entry["ARN"],
        "description": entry.get("Description"),
        "rotationEnabled": bool(entry.get("RotationEnabled")),
        "lastChanged": _iso(entry.get("LastChangedDate")),
        # Every version that has a staging label (AWSCURRENT, AWSPREVIOUS, AWSPENDING, custom).
        "versions": [
            {"versionId": version_id, "stages": sorted(stages)} for version_id, stages in versions.items()
        ],
        "stages": sorted({stage for stages in versions.values() for stage in stages}),
    }


def _parameter_view(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": entry["Name"],
        "type": entry.get("Type"),  # String, StringList or SecureString
        "version": entry.get("Version"),
        "description": entry.get("Description"),
        "lastModified": _iso(entry.get("LastModifiedDate")),
    }


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def add_secret_routes(bp: Blueprint, source: SecretsSource) -> None:
    """The page and its API on the dashboard's blueprint (its loopback-only rule applies)."""

    @bp.get("/api/secrets")
    def list_secrets() -> Response:
        reveal = request.args.get("reveal", "") in ("1", "true", "yes")
        secret, parameter = request.args.get("secret"), request.args.get("parameter")
        try:
            found = _found(source, secret, parameter, reveal=reveal)
        except SecretsError as exc:
            return error_response(exc.status, exc.code, exc.message)
        if (secret is not None or parameter is not None) and not (found["secrets"] or found["parameters"]):
            what = f"secret {secret!r}" if secret is not None else f"parameter {parameter!r}"
            return error_response(404, "not_found", f"the AWS endpoint has no {what}")
        response = jsonify({"endpoint": source.endpoint, **found})
        response.headers["Cache-Control"] = "no-store"
        return response

    @bp.get("/secrets")
    def secrets_page() -> tuple[str, int]:
        error, status = None, 200
        try:
            found = _found(source, None, None, reveal=False)
        except SecretsError as exc:
            found, error, status = {"secrets": [], "parameters": []}, exc.message, exc.status
        page = render_template("dashboard/secrets.html", endpoint=source.endpoint, error=error, **found)
        return page, status


def _found(
    source: SecretsSource, secret: str | None, parameter: str | None, *, reveal: bool
) -> dict[str, list[dict[str, Any]]]:
    """Every secret and parameter, or only the one named (``secret`` or ``parameter``)."""
    if secret is None and parameter is None:
        return {"secrets": source.secrets(reveal=reveal), "parameters": source.parameters(reveal=reveal)}
    return {
        "secrets": source.secrets(name=secret, reveal=reveal) if secret is not None else [],
        "parameters": source.parameters(name=parameter, reveal=reveal) if parameter is not None else [],
    }
