"""Reading sent emails: from the embedded endpoint, from LocalStack's record (documented shape), failures."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from emulator.aws.emails import from_localstack, normalized
from emulator.aws.sent_emails import SentEmails, SentEmailsError

from .helpers import client
from .localstack_stub import LOCALSTACK_MESSAGES, LocalStackStub


@pytest.fixture
def localstack() -> Iterator[LocalStackStub]:
    with LocalStackStub({"/_aws/ses": {"messages": LOCALSTACK_MESSAGES}}) as stub:
        yield stub


def test_localstack_messages_become_the_listing_shape():
    simple, raw, templated = (from_localstack(m) for m in LOCALSTACK_MESSAGES)
    assert simple == {
        "id": "mxfthwwscyulscvr-hcxdfclb-vfxy-aglj-oovq-knnvxluzlvds-erzqjg",
        "timestamp": "2025-09-22T09:59:42.000Z",
        "from": "admin@localstack.com",
        "to": ["Ops@Example.com"],
        "cc": ["cc@example.com"],
        "bcc": [],
        "subject": "Reset your password",
        "text": "code 123456",
        "html": None,
    }
    assert (raw["from"], raw["to"], raw["subject"], raw["html"]) == (
        "App <noreply@example.com>",
        ["raw@example.com"],
        "Raw one",
        "<p>hi</p>\n",
    )
    assert (templated["subject"], templated["text"]) == ("(template welcome)", '{"name": "Ada"}')


def test_emails_persisted_in_the_old_shape_are_listed_in_the_new_one():
    old = {
        "messageId": "m1",
        "date": "2026-01-01T00:00:00Z",
        "from": "a@example.com",
        "to": [],
        "subject": "s",
    }
    assert normalized(old) == {
        "id": "m1",
        "timestamp": "2026-01-01T00:00:00Z",
        "from": "a@example.com",
        "to": [],
        "subject": "s",
    }


def test_localstack_is_asked_its_way_then_remembered(localstack):
    source = SentEmails(localstack.url, localstack_first=True)
    assert [e["id"] for e in source.list()] == [
        "mxfthwwscyulscvr-hcxdfclb-vfxy-aglj-oovq-knnvxluzlvds-erzqjg",
        "raw-1",
        "tpl-1",
    ]
    assert [e["id"] for e in source.list("ops@example.COM")] == [LOCALSTACK_MESSAGES[0]["Id"]]
    assert [e["id"] for e in source.list("cc@example.com")] == [LOCALSTACK_MESSAGES[0]["Id"]]
    assert localstack.requests == ["/_aws/ses"] * 3

    # Asked the emulator's way first (an unknown endpoint), it finds LocalStack's record next.
    SentEmails(localstack.url).list()
    assert localstack.requests[3:] == ["/_emulator/emails", "/_aws/ses"]


def test_an_embedded_endpoint_standing_in_for_localstack_is_read_its_own_way(endpoint):
    to = f"{uuid.uuid4().hex[:8]}@example.com"
    client("ses", endpoint).verify_email_identity(EmailAddress="noreply@example.com")
    raw = f"From: noreply@example.com\nTo: {to}\nSubject: Raw\n\nplain body\n"
    client("ses", endpoint).send_raw_email(RawMessage={"Data": raw.encode()})
    [email] = SentEmails(endpoint, localstack_first=True).list(to)
    assert (email["subject"], email["text"]) == ("Raw", "plain body\n")


def test_an_endpoint_that_is_down_is_503_and_one_that_keeps_no_record_is_502():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{closed.getsockname()[1]}"
    with pytest.raises(SentEmailsError) as raised:
        SentEmails(down).list()
    assert raised.value.status == 503
    assert "does not answer" in str(raised.value)

    with LocalStackStub({}) as nothing, pytest.raises(SentEmailsError) as raised:
        SentEmails(nothing.url).list()
    assert raised.value.status == 502
    assert "keeps no record of sent emails" in str(raised.value)


def test_the_emails_command_reads_localstack_too(localstack):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "emulator",
            "emails",
            "--endpoint",
            localstack.url,
            "--json",
            "--to",
            "tpl@example.com",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert [e["id"] for e in json.loads(proc.stdout)] == ["tpl-1"]
