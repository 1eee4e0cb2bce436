"""The embedded endpoint's state as a plain JSON document that does not depend on moto's classes.

Snapshots, ``python -m emulator export`` and ``import`` all use this one form, so a data dir
survives a moto upgrade (a snapshot used to pickle moto's own objects, readable only by the moto
version that wrote them) and a team can share seed data or start CI from a fixture::

    {"format": "emulator-aws-state", "version": 1,
     "dynamodb": {"tables": [{"account", "region", "definition": <CreateTable request>,
                              "timeToLive": {"AttributeName"} | null, "pointInTimeRecovery": bool,
                              "items": [<item in DynamoDB JSON>, ...]}]},
     "secretsmanager": {"secrets": [...]}, "ssm": {"parameters": [...]}, "ses": {...},
     "idempotencyTokens": [...], "sentEmails": [...]}

Reading moto's state is done on its models (the fastest way, in the snapshot's forked child);
restoring goes through moto's own API wherever that gives the same state (CreateTable, CreateSecret,
PutParameter...), so moto does its own wiring, and items are put into their table directly (10,000
of them through the API would take seconds). State moto holds that this form does not keep (a
DynamoDB backup, an SSM document...) is named in a warning when it is captured, never dropped
silently. The services: :data:`emulator.aws.endpoint.SERVED_SERVICES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.aws import portable_dynamodb, portable_services
from emulator.aws.portable_backends import Api, StateError
from emulator.aws.requests import AwsRequest, AwsResponse

FORMAT = "emulator-aws-state"
VERSION = 1
__all__ = ["FORMAT", "VERSION", "StateError", "capture", "check_document", "restore"]


# -- the document ------------------------------------------------------------------------------
def capture(tokens: list[dict[str, Any]], sent_emails: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole state, read from moto's backends (the caller holds the request lock or is the
    snapshot's forked child)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "dynamodb": {"tables": portable_dynamodb.capture_tables()},
        "secretsmanager": {"secrets": portable_services.capture_secrets()},
        "ssm": {"parameters": portable_services.capture_parameters()},
        "ses": portable_services.capture_ses(),
        "idempotencyTokens": tokens,
        "sentEmails": sent_emails,
    }


def check_document(document: Any, where: str) -> dict[str, Any]:
    """``document`` if it is a state document this version reads, else StateError."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateError(f'{where} is not an emulator state document (no "format": "{FORMAT}")')
    version = document.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise StateError(
            f"{where} is state format version {version!r}; this emulator reads up to {VERSION} "
            "(it was written by a newer emulator)"
        )
    return document


def restore(document: dict[str, Any], call: Callable[[AwsRequest], AwsResponse], *, validate: bool) -> None:
    """Put ``document``'s resources into moto (empty backends). ``call`` runs one request through
    moto (no journal). ``validate``: items go through BatchWriteItem, as a client's would (for a
    file from elsewhere); otherwise straight into their tables (a snapshot this code wrote)."""
    api = Api(call)
    portable_dynamodb.restore_tables(document.get("dynamodb", {}).get("tables", []), api, validate=validate)
    portable_services.restore_secrets(document.get("secretsmanager", {}).get("secrets", []), api)
    portable_services.restore_parameters(document.get("ssm", {}).get("parameters", []), api)
    portable_services.restore_ses(document.get("ses", {}))
