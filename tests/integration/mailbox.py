"""The emails the stack sent, as the plugin's ``sam_emails`` reads them (the emulator's catcher,
``GET /_emulator/emails``), and the 6-digit code they carry.

Only a local target has one (the embedded stack, ``make up``, the compose stack): tests that read
emails carry the ``local_email`` marker and are left out against a deployed stage.
"""

from __future__ import annotations

import re

from emulator.sam_fixtures import SamEmails

CODE = re.compile(r"\b([0-9]{6})\b")


class Mailbox(SamEmails):
    def code(self, to: str) -> str:
        """The 6-digit code of the latest email to ``to`` (its subject, text and HTML all carry it)."""
        email = self.latest(to)
        found = {
            match for part in (email["subject"], email["text"], email["html"]) for match in CODE.findall(part)
        }
        assert len(found) == 1, f"expected one 6-digit code in {email['subject']!r}, found {found}"
        return found.pop()
