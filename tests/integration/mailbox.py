"""The emails the stack sent, read over HTTP from the emulator's catcher (``GET /_emulator/emails``).

Only a local target has one (the embedded stack, ``make up``, the compose stack): tests that read
emails carry the ``local_email`` marker and are left out against a deployed stage.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

CODE = re.compile(r"\b([0-9]{6})\b")
TIMEOUT_S = 30.0


class Mailbox:
    def __init__(self, emails_url: str) -> None:
        self.emails_url = emails_url

    def messages(self, to: str) -> list[dict[str, Any]]:
        """Every email sent to ``to``, oldest first."""
        response = requests.get(self.emails_url, params={"to": to}, timeout=TIMEOUT_S)
        assert response.status_code == 200, response.text
        emails = response.json()
        assert isinstance(emails, list), emails
        return emails

    def latest(self, to: str) -> dict[str, Any]:
        messages = self.messages(to)
        if not messages:
            pytest.fail(f"no email was sent to {to}")
        return messages[-1]

    def code(self, to: str) -> str:
        """The 6-digit code of the latest email to ``to`` (its subject, text and HTML all carry it)."""
        email = self.latest(to)
        found = {
            match for part in (email["subject"], email["text"], email["html"]) for match in CODE.findall(part)
        }
        assert len(found) == 1, f"expected one 6-digit code in {email['subject']!r}, found {found}"
        return found.pop()
