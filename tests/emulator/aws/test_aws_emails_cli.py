"""Sent SES emails over HTTP and the CLI; `reset`; commands that need a running endpoint."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from emulator.aws import EmbeddedAws

from .helpers import client, create_table


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emulator", *args], capture_output=True, text=True)


def test_sent_emails_are_listed_over_http_and_by_the_cli(endpoint):
    to = f"{uuid.uuid4().hex[:8]}@example.com"
    ses = client("ses", endpoint)
    ses.verify_email_identity(EmailAddress="noreply@example.com")
    ses.send_email(
        Source="noreply@example.com",
        Destination={"ToAddresses": [to]},
        Message={
            "Subject": {"Data": "Reset your password"},
            "Body": {"Text": {"Data": "Your code is 123456"}, "Html": {"Data": "<b>123456</b>"}},
        },
    )
    client("sesv2", endpoint).send_email(
        FromEmailAddress="noreply@example.com",
        Destination={"ToAddresses": [to]},
        Content={"Simple": {"Subject": {"Data": "Welcome"}, "Body": {"Text": {"Data": "Hello"}}}},
    )

    listed = json.loads(urllib.request.urlopen(endpoint + "/_emulator/emails").read())
    mine = [e for e in listed if e["to"] == [to]]
    assert [(e["from"], e["subject"], e["text"]) for e in mine] == [
        ("noreply@example.com", "Reset your password", "Your code is 123456"),
        ("noreply@example.com", "Welcome", "Hello"),
    ]
    assert set(mine[0]) == {"id", "timestamp", "from", "to", "cc", "bcc", "subject", "text", "html"}
    assert mine[0]["html"] == "<b>123456</b>"
    assert mine[0]["id"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", mine[0]["timestamp"])
    assert mine[0]["timestamp"] <= mine[1]["timestamp"]

    table = _cli("emails", "--endpoint", endpoint)
    assert table.returncode == 0, table.stderr
    assert "SUBJECT" in table.stdout
    assert f"{to}  Reset your password" in table.stdout
    as_json = _cli("emails", "--endpoint", endpoint, "--json", "--to", to.upper())
    assert [e["subject"] for e in json.loads(as_json.stdout)] == ["Reset your password", "Welcome"]
    refused = _cli("emails", "--endpoint", endpoint, "--to", "nobody")
    assert refused.returncode == 2
    assert "to: one email address" in refused.stderr


def test_the_to_filter_matches_any_recipient_case_insensitively(endpoint):
    tag = uuid.uuid4().hex[:8]
    ses = client("ses", endpoint)
    ses.verify_email_identity(EmailAddress="noreply@example.com")
    ses.send_email(
        Source="noreply@example.com",
        Destination={
            "ToAddresses": [f"Ada <to-{tag}@example.com>"],
            "CcAddresses": [f"cc-{tag}@example.com"],
            "BccAddresses": [f"bcc-{tag}@example.com"],
        },
        Message={"Subject": {"Data": f"hello {tag}"}, "Body": {"Text": {"Data": "hi"}}},
    )

    def subjects(query: str) -> list[str]:
        url = f"{endpoint}/_emulator/emails?{query}"
        return [e["subject"] for e in json.loads(urllib.request.urlopen(url).read())]

    for recipient in (f"TO-{tag}@example.com", f"cc-{tag}@EXAMPLE.com", f"bcc-{tag}@example.com"):
        assert subjects(urllib.parse.urlencode({"to": recipient})) == [f"hello {tag}"]
    assert subjects(urllib.parse.urlencode({"to": f"other-{tag}@example.com"})) == []
    for bad in ("from=a@example.com", "to=", "to=a@example.com&to=b@example.com"):
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(f"{endpoint}/_emulator/emails?{bad}")
        assert raised.value.code == 400
        assert json.loads(raised.value.read())["error"]["code"] == "validation_error"


def test_commands_find_the_endpoint_from_the_data_dir_or_say_nothing_runs(tmp_path):
    nothing = _cli("emails", "--data-dir", str(tmp_path))
    assert nothing.returncode == 2
    assert "no embedded AWS endpoint is running" in nothing.stderr
    assert "Traceback" not in nothing.stderr

    with EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0):
        found = _cli("ttl-sweep", "--data-dir", str(tmp_path))
        assert found.returncode == 0, found.stderr
        assert "Deleted 0 expired items." in found.stdout

        refused = _cli("reset", "--data-dir", str(tmp_path))
        assert refused.returncode == 2
        assert "is running" in refused.stderr
        assert (tmp_path / "aws").is_dir()


def test_reset_wipes_the_data_dir(tmp_path):
    data_dir = tmp_path / "localdata"
    with EmbeddedAws(data_dir=data_dir, ttl_sweep_interval_s=0) as aws:
        dynamodb = client("dynamodb", aws.endpoint_url)
        dynamodb.create_table(
            TableName="kept-until-reset",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )

    wiped = _cli("reset", "--data-dir", str(data_dir))

    assert wiped.returncode == 0, wiped.stderr
    assert f"Wiped {data_dir}" in wiped.stdout
    assert not data_dir.exists()
    with EmbeddedAws(data_dir=data_dir, ttl_sweep_interval_s=0) as aws:
        assert client("dynamodb", aws.endpoint_url).list_tables()["TableNames"] == []
    assert "Nothing to reset" in _cli("reset", "--data-dir", str(tmp_path / "absent")).stdout


def test_reset_refuses_while_a_paused_endpoint_holds_the_data_dir(tmp_path):
    """A SIGSTOPped endpoint answers no health probe, but it still holds the data dir's lock."""
    data_dir = tmp_path / "localdata"
    with EmbeddedAws(data_dir=data_dir, ttl_sweep_interval_s=0) as aws:
        dynamodb = client("dynamodb", aws.endpoint_url)
        table = create_table(dynamodb, "users")
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "ada"}})
        os.kill(aws.pid, signal.SIGSTOP)
        try:
            refused = _cli("reset", "--data-dir", str(data_dir))
        finally:
            os.kill(aws.pid, signal.SIGCONT)
        assert refused.returncode == 2
        assert f"an endpoint is running on {data_dir} (pid {aws.pid})" in refused.stderr
        assert "Nothing was wiped" in refused.stderr
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "grace"}})
    with EmbeddedAws(data_dir=data_dir, ttl_sweep_interval_s=0) as restarted:
        items = client("dynamodb", restarted.endpoint_url).scan(TableName=table)["Items"]
    assert sorted(i["pk"]["S"] for i in items) == ["ada", "grace"]


def test_reset_refuses_a_directory_that_is_not_emulator_data(tmp_path):
    (tmp_path / "precious.txt").write_text("not ours")

    refused = _cli("reset", "--data-dir", str(tmp_path))

    assert refused.returncode == 2
    assert "does not look like emulator data" in refused.stderr
    assert (tmp_path / "precious.txt").exists()


def test_the_aws_command_runs_the_endpoint_alone():
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "dynamodb", "--port", "0", "--ttl-sweep-interval", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Ready on "):
                break
        url = lines[-1].removeprefix("Ready on ").strip()
        assert any(url in line and "DynamoDB" in line for line in lines[:-1])
        assert client("dynamodb", url).list_tables()["TableNames"] == []
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_services_that_are_not_persisted_are_refused_clearly(endpoint):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as raised:
        client("sqs", endpoint).create_queue(QueueName="jobs")

    assert raised.value.response["Error"]["Code"] == "UnsupportedServiceException"
    assert (
        "serves DynamoDB, Secrets Manager, SSM and SES, not sqs" in raised.value.response["Error"]["Message"]
    )
