"""The outbox: every email sent through the embedded SES (v1 or v2), listable for local testing.

moto's SES keeps sent messages without a date and in per-account backends; the outbox records
what a developer wants to see (who, subject, body, when) as the send is acknowledged, and is
part of the persisted state, so a password-reset email can still be read after a restart.

Every listing of sent emails (the endpoint's and serve's ``GET /_emulator/emails``, ``python -m
emulator emails``) has one shape, oldest first: ``[{"id", "timestamp", "from", "to", "cc", "bcc",
"subject", "text", "html"}]``, ``timestamp`` in ISO 8601 UTC; LocalStack's record of sent emails
(``GET /_aws/ses``) is converted to it by :func:`from_localstack`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from email.utils import parseaddr
from typing import Any

from emulator.aws.requests import AwsRequest, AwsResponse
from emulator.timestamps import iso_utc

_V1_SENDS = frozenset({"SendEmail", "SendRawEmail", "SendTemplatedEmail"})
_V2_SEND = "POST /v2/email/outbound-emails"
_MESSAGE_ID = re.compile(rb"<MessageId>([^<]+)</MessageId>")


def is_send(request: AwsRequest) -> bool:
    return (request.service == "ses" and request.action in _V1_SENDS) or request.action == _V2_SEND


def email_from(request: AwsRequest, response: AwsResponse) -> dict[str, Any]:
    """The outbox entry for a successful send (never raises: the send itself succeeded)."""
    try:
        return _email_from(request, response)
    except (ValueError, TypeError, KeyError, AttributeError, LookupError) as exc:
        return {**_empty_entry(), "subject": f"(could not read this email: {exc})"}


def _empty_entry() -> dict[str, Any]:
    return {
        "id": "",
        "timestamp": iso_utc(),
        "from": "",
        "to": [],
        "cc": [],
        "bcc": [],
        "subject": "",
        "text": None,
        "html": None,
    }


def _email_from(request: AwsRequest, response: AwsResponse) -> dict[str, Any]:
    entry = _empty_entry()
    if request.action == _V2_SEND:
        entry.update(_from_v2(request.json()))
        entry["id"] = str(response.json().get("MessageId", ""))
    else:
        entry.update(_from_v1(request.form()))
        found = _MESSAGE_ID.search(response.body)
        entry["id"] = found.group(1).decode() if found else ""
    return entry


def _members(form: dict[str, str], prefix: str) -> list[str]:
    # Query protocol lists: Destination.ToAddresses.member.1, .member.2, ...
    found = [(int(k.rsplit(".", 1)[1]), v) for k, v in form.items() if k.startswith(prefix + ".member.")]
    return [v for _, v in sorted(found)]


def _from_v1(form: dict[str, str]) -> dict[str, Any]:
    if form.get("Action") == "SendRawEmail":
        raw = base64.b64decode(form.get("RawMessage.Data", ""))
        return _from_mime(
            raw, fallback_from=form.get("Source", ""), destinations=_members(form, "Destinations")
        )
    entry: dict[str, Any] = {
        "from": form.get("Source", ""),
        "to": _members(form, "Destination.ToAddresses"),
        "cc": _members(form, "Destination.CcAddresses"),
        "bcc": _members(form, "Destination.BccAddresses"),
        "subject": form.get("Message.Subject.Data", ""),
        "text": form.get("Message.Body.Text.Data"),
        "html": form.get("Message.Body.Html.Data"),
    }
    if form.get("Action") == "SendTemplatedEmail":
        entry["subject"] = f"(template {form.get('Template', '')})"
        entry["text"] = form.get("TemplateData")
    return entry


def _from_v2(body: dict[str, Any]) -> dict[str, Any]:
    destination = body.get("Destination") or {}
    content = body.get("Content") or {}
    entry: dict[str, Any] = {
        "from": body.get("FromEmailAddress", ""),
        "to": list(destination.get("ToAddresses") or []),
        "cc": list(destination.get("CcAddresses") or []),
        "bcc": list(destination.get("BccAddresses") or []),
    }
    if "Simple" in content:
        simple = content["Simple"]
        message_body = simple.get("Body") or {}
        entry["subject"] = (simple.get("Subject") or {}).get("Data", "")
        entry["text"] = (message_body.get("Text") or {}).get("Data")
        entry["html"] = (message_body.get("Html") or {}).get("Data")
    elif "Raw" in content:
        raw = base64.b64decode((content["Raw"] or {}).get("Data", ""))
        entry.update(_from_mime(raw, fallback_from=entry["from"], destinations=entry["to"]))
    elif "Template" in content:
        template = content["Template"] or {}
        entry["subject"] = f"(template {template.get('TemplateName', '')})"
        entry["text"] = template.get("TemplateData")
    return entry


def _from_mime(raw: bytes, *, fallback_from: str, destinations: list[str]) -> dict[str, Any]:
    message = message_from_bytes(raw)
    text, html = _mime_bodies(message)
    to = [a.strip() for a in str(message.get("To", "")).split(",") if a.strip()]
    return {
        "from": str(message.get("From", fallback_from)),
        "to": to or destinations,
        "subject": str(message.get("Subject", "")),
        "text": text,
        "html": html,
    }


def _mime_bodies(message: Message) -> tuple[str | None, str | None]:
    text: str | None = None
    html: str | None = None
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        decoded = payload.decode(part.get_content_charset() or "utf-8", "replace")
        if part.get_content_type() == "text/html" and html is None:
            html = decoded
        elif part.get_content_type() == "text/plain" and text is None:
            text = decoded
    return text, html


def normalized(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An outbox entry in the listing's shape; entries persisted before it had ``messageId``/``date``."""
    email = dict(entry)
    if "messageId" in email:
        email.setdefault("id", email.pop("messageId"))
    if "date" in email:
        email.setdefault("timestamp", email.pop("date"))
    return email


def listing_filter(query: Mapping[str, list[str]]) -> str | None:
    """The ``to`` of a listing's query string (``?to=ADDRESS``), None for all; ValueError otherwise."""
    unknown = sorted(set(query) - {"to"})
    if unknown:
        raise ValueError(f"unknown query parameter {unknown[0]}; the only filter is ?to=ADDRESS")
    values = query.get("to")
    if values is None:
        return None
    if len(values) != 1 or "@" not in values[0]:
        raise ValueError("to: one email address, e.g. ?to=ada@example.com")
    return values[0]


def _address(recipient: str) -> str:
    return (parseaddr(recipient)[1] or recipient).strip().lower()


def sent_to(emails: Iterable[Mapping[str, Any]], to: str | None) -> list[dict[str, Any]]:
    """The emails with ``to`` among their recipients (To, Cc or Bcc), compared case-insensitively."""
    if to is None:
        return [dict(e) for e in emails]
    wanted = _address(to)
    return [
        dict(e)
        for e in emails
        if any(_address(r) == wanted for field in ("to", "cc", "bcc") for r in e.get(field) or [])
    ]


def from_localstack(message: Mapping[str, Any]) -> dict[str, Any]:
    """One message of LocalStack's ``GET /_aws/ses`` (its SES provider's record) in the listing's shape.

    LocalStack keeps ``{Id, Region, Source, Destination: {ToAddresses, CcAddresses, BccAddresses},
    Subject, Body: {text_part, html_part}, Timestamp}``; ``RawData`` instead of Subject/Body for
    SendRawEmail, ``Template``/``TemplateData`` for SendTemplatedEmail.
    """
    destination = message.get("Destination") or {}
    body = message.get("Body") or {}
    email: dict[str, Any] = {
        "id": str(message.get("Id") or ""),
        "timestamp": _utc_timestamp(message.get("Timestamp")),
        "from": str(message.get("Source") or ""),
        "to": list(destination.get("ToAddresses") or []),
        "cc": list(destination.get("CcAddresses") or []),
        "bcc": list(destination.get("BccAddresses") or []),
        "subject": str(message.get("Subject") or ""),
        "text": body.get("text_part"),
        "html": body.get("html_part"),
    }
    if isinstance(message.get("RawData"), str):
        raw = message["RawData"].encode("utf-8", "surrogateescape")
        email.update(_from_mime(raw, fallback_from=email["from"], destinations=email["to"]))
    elif message.get("Template"):
        email["subject"] = f"(template {message['Template']})"
        email["text"] = message.get("TemplateData")
    return email


def _utc_timestamp(value: Any) -> str:
    """LocalStack writes UTC without a zone (``2025-09-22T09:59:42``); the listing says Z."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso_utc(moment.timestamp())


def format_table(emails: list[dict[str, Any]]) -> str:
    """The `python -m emulator emails` table: timestamp, to, subject."""
    if not emails:
        return "No emails sent yet."
    headings = ("TIMESTAMP", "TO", "SUBJECT")
    rows = [(e["timestamp"], ", ".join(e["to"]), e["subject"]) for e in emails]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headings)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)
