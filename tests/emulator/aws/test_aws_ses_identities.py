"""``AWS::SES::EmailIdentity`` resources are verified at start, so SES sends from them (and only them)."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from emulator.aws import EmbeddedAws, provision
from emulator.errors import UserError
from emulator.log import AWS
from emulator.template import load_app

from .helpers import client

TEMPLATE = textwrap.dedent(
    """
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      SenderAddress: {Type: String, Default: noreply@app.example}
      WithDomain: {Type: String, Default: "true", AllowedValues: ["true", "false"]}
    Conditions:
      HasDomain: !Equals [!Ref WithDomain, "true"]
      Never: !Equals [!Ref WithDomain, "never"]
    Resources:
      Sender:
        Type: AWS::SES::EmailIdentity
        Properties:
          EmailIdentity: !Ref SenderAddress
      Domain:
        Type: AWS::SES::EmailIdentity
        Condition: HasDomain
        Properties:
          EmailIdentity: mail.example
          DkimAttributes: {SigningEnabled: true}
      Skipped:
        Type: AWS::SES::EmailIdentity
        Condition: Never
        Properties:
          EmailIdentity: skipped.example
    """
)


def _app(tmp_path: Path, **overrides: str):
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    return load_app(path, parameter_overrides=overrides)


def _send(endpoint: str, sender: str) -> None:
    client("sesv2", endpoint).send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": ["someone@example.com"]},
        Content={"Simple": {"Subject": {"Data": "hi"}, "Body": {"Text": {"Data": "hello"}}}},
    )


def test_identities_are_verified_honouring_conditions_and_idempotently(tmp_path, caplog):
    app = _app(tmp_path)
    caplog.set_level(logging.INFO, logger=AWS)
    with EmbeddedAws(ttl_sweep_interval_s=0) as aws:
        with pytest.raises(ClientError, match="not verified"):  # what provisioning makes possible
            _send(aws.endpoint_url, "noreply@app.example")

        provision(app, endpoint_url=aws.endpoint_url)

        identities = client("ses", aws.endpoint_url).list_identities()["Identities"]
        assert sorted(identities) == ["mail.example", "noreply@app.example"]  # not skipped.example
        verified = [m for m in caplog.messages if m.startswith("Verified SES identity")]
        assert verified == [
            "Verified SES identity noreply@app.example (Sender)",
            "Verified SES identity mail.example (Domain)",
        ]
        _send(aws.endpoint_url, "App <noreply@app.example>")
        _send(aws.endpoint_url, "anyone@mail.example")  # a verified domain covers its addresses
        with pytest.raises(ClientError, match="not verified"):
            _send(aws.endpoint_url, "someone@skipped.example")

        provision(app, endpoint_url=aws.endpoint_url)
        assert (
            len([m for m in caplog.messages if m.startswith("Verified SES identity")]) == 2
        )  # nothing again


def test_a_false_condition_leaves_the_identity_out(tmp_path):
    app = _app(tmp_path, WithDomain="false", SenderAddress="other@app.example")
    with EmbeddedAws(ttl_sweep_interval_s=0) as aws:
        provision(app, endpoint_url=aws.endpoint_url)
        assert client("ses", aws.endpoint_url).list_identities()["Identities"] == ["other@app.example"]


def test_an_identity_without_email_identity_is_a_user_error(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  Sender:\n    Type: AWS::SES::EmailIdentity\n    Properties: {}\n")
    with EmbeddedAws(ttl_sweep_interval_s=0) as aws, pytest.raises(UserError, match="Sender: EmailIdentity"):
        provision(load_app(path), endpoint_url=aws.endpoint_url)
