"""Sending email with Amazon SES: the one call the backend makes to SES.

SES's classic API (``SendEmail``, boto3 ``ses``), not v2: both send the same message, and the v1
API is the one LocalStack's community edition serves, so the docker-compose stack catches the
emails too. No endpoint in code: boto3 reads ``AWS_ENDPOINT_URL`` (or ``AWS_ENDPOINT_URL_SES``)
itself, which is how the local stack catches every message (the embedded SES, or LocalStack's).
On AWS the function's role may send only as the configured identity (``ses:SendEmail`` on it).
"""

from __future__ import annotations

from dataclasses import dataclass

import boto3

from auth_service.repositories.clients import BOTO_CONFIG

SES = boto3.client("ses", config=BOTO_CONFIG)
CHARSET = "UTF-8"


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str


def send_email(message: EmailMessage, *, sender: str, configuration_set: str = "") -> str:
    """Send ``message`` from ``sender``; returns SES's MessageId."""
    request: dict[str, object] = {
        "Source": sender,
        "Destination": {"ToAddresses": [message.to]},
        "Message": {
            "Subject": {"Data": message.subject, "Charset": CHARSET},
            "Body": {
                "Text": {"Data": message.text, "Charset": CHARSET},
                "Html": {"Data": message.html, "Charset": CHARSET},
            },
        },
    }
    if configuration_set:
        request["ConfigurationSetName"] = configuration_set
    return str(SES.send_email(**request).get("MessageId", ""))


@dataclass(frozen=True)
class Mailer:
    """Sends as the configured identity (``EMAIL_SENDER``), with its configuration set if any."""

    sender: str
    configuration_set: str = ""

    def send(self, message: EmailMessage) -> str:
        return send_email(message, sender=self.sender, configuration_set=self.configuration_set)
