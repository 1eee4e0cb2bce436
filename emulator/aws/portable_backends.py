"""What the portable state's modules share: moto's backends by service, and requests to moto.

See :mod:`.portable_state` for the document; :mod:`.portable_dynamodb` and
:mod:`.portable_services` for each service's part of it.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any

from emulator import log
from emulator.aws.requests import AwsRequest, AwsResponse

_LOG = logging.getLogger(log.AWS_ENDPOINT)
# service -> (module, BackendDict attribute). A module never imported has no state: importing
# moto.ssm.models alone costs about a second (it pulls in EC2).
BACKENDS: dict[str, tuple[str, str]] = {
    "dynamodb": ("moto.dynamodb.models", "dynamodb_backends"),
    "secretsmanager": ("moto.secretsmanager.models", "secretsmanager_backends"),
    "ssm": ("moto.ssm.models", "ssm_backends"),
    "ses": ("moto.ses.models", "ses_backends"),
}
_TARGETS = {
    "dynamodb": "DynamoDB_20120810",
    "secretsmanager": "secretsmanager",
    "ssm": "AmazonSSM",
}
_WARNED: set[str] = set()


def iter_backends(service: str) -> Iterator[tuple[str, str, Any]]:
    """(account, region, backend) of every backend of ``service`` that exists."""
    module_name, attribute = BACKENDS[service]
    module = sys.modules.get(module_name)
    if module is None:
        return
    yield from getattr(module, attribute).iter_backends()


def backend(service: str, account: str, region: str) -> Any:
    module_name, attribute = BACKENDS[service]
    return getattr(importlib.import_module(module_name), attribute)[account][region]


def warn_not_kept(what: str) -> None:
    """Once per process: moto holds ``what`` but a snapshot does not keep it."""
    if what not in _WARNED:
        _WARNED.add(what)
        _LOG.warning("warning: %s is not kept across a restart (nor exported)", what)


class StateError(ValueError):
    """A state document that cannot be restored: names what and where."""


class Api:
    """Requests to moto as a client would send them, for one account and region at a time."""

    def __init__(self, call: Callable[[AwsRequest], AwsResponse]) -> None:
        self._call = call

    def json(
        self, service: str, action: str, body: dict[str, Any], account: str, region: str
    ) -> dict[str, Any]:
        headers = {
            "Authorization": f"AWS4-HMAC-SHA256 Credential=restore/20260101/{region}/{service}/aws4_request",
            "X-Amz-Target": f"{_TARGETS[service]}.{action}",
            "Content-Type": "application/x-amz-json-1.1",
            "x-moto-account-id": account,
        }
        request = AwsRequest.build(
            method="POST", path="/", query="", headers=headers, body=json.dumps(body).encode()
        )
        response = self._call(request)
        if not response.ok:
            detail = response.json().get("message") or response.json().get("Message") or response.body[:300]
            raise StateError(f"{service} {action} was refused: {response.status}: {detail}")
        return response.json()
