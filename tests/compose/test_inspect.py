"""``scripts/compose_inspect.py`` against two real endpoints standing in for DynamoDB Local and LocalStack."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import boto3
import pytest

from emulator.aws import EmbeddedAws
from scripts.compose_file import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import compose_inspect

SECRET_VALUE = "do-not-print-me-7f3a"


def _client(service: str, endpoint_url: str):
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture(scope="module")
def stand_ins() -> Iterator[tuple[str, str]]:
    with (
        EmbeddedAws(port=0, ttl_sweep_interval_s=0) as dynamodb,
        EmbeddedAws(port=0, ttl_sweep_interval_s=0) as ls,
    ):
        tables = _client("dynamodb", dynamodb.endpoint_url)
        tables.create_table(
            TableName="users",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        tables.put_item(TableName="users", Item={"pk": {"S": "u1"}})
        _client("secretsmanager", ls.endpoint_url).create_secret(
            Name="signing-keys", SecretString=SECRET_VALUE
        )
        _client("ssm", ls.endpoint_url).put_parameter(Name="/app/flag", Value="on", Type="String")
        _client("ses", ls.endpoint_url).verify_email_identity(EmailAddress="noreply@example.com")
        _client("sesv2", ls.endpoint_url).send_email(
            FromEmailAddress="noreply@example.com",
            Destination={"ToAddresses": ["ada@example.com"]},
            Content={"Simple": {"Subject": {"Data": "Your code"}, "Body": {"Text": {"Data": "123456"}}}},
        )
        yield dynamodb.endpoint_url, ls.endpoint_url.split("//", 1)[1]


def test_lists_tables_secrets_and_parameters_never_secret_values(
    stand_ins: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    dynamodb_endpoint, localstack_host = stand_ins
    code = compose_inspect.main(
        ["--dynamodb-endpoint", dynamodb_endpoint, "--localstack-host", localstack_host]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "users" in out
    assert "signing-keys" in out
    assert "/app/flag" in out
    assert "noreply@example.com -> ada@example.com  Your code" in out
    assert SECRET_VALUE not in out


def test_json_output_and_localstack_host_from_the_environment(
    stand_ins: tuple[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dynamodb_endpoint, localstack_host = stand_ins
    monkeypatch.setenv("LOCALSTACK_HOST", localstack_host)  # localstack-client's own convention
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    assert compose_inspect.main(["--dynamodb-endpoint", dynamodb_endpoint, "--json"]) == 0
    contents = json.loads(capsys.readouterr().out)
    assert contents["tables"] == {"users": 1}
    assert contents["secrets"] == ["signing-keys"]
    assert contents["parameters"] == ["/app/flag"]
    # The stand-in (an embedded endpoint) is read its own way, in the same shape as LocalStack's record.
    [email] = contents["emails"]
    assert (email["from"], email["to"], email["subject"], email["text"]) == (
        "noreply@example.com",
        ["ada@example.com"],
        "Your code",
        "123456",
    )


def test_an_unreachable_stack_is_one_line_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        code = compose_inspect.main(
            ["--dynamodb-endpoint", f"http://127.0.0.1:{port}", "--localstack-host", f"127.0.0.1:{port}"]
        )
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: cannot read the compose stack:")
    assert "Traceback" not in err
