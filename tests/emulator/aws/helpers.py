"""Shared by the embedded AWS tests: boto3 clients on the endpoint, tables."""

from __future__ import annotations

import contextlib
import json
import socketserver
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config

# Creating a Session loads botocore's models (~0.15 s); clients made from one session share them.
# Clients are created here, in one thread, and may then each be used from its own thread.
_SESSION = boto3.session.Session()


def client(service: str, endpoint_url: str, **config: Any) -> Any:
    """A new boto3 client for the endpoint (call from one thread; use from any)."""
    return _SESSION.client(
        service,
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="AKIATESTTESTTESTTEST",
        aws_secret_access_key="test-secret",
        config=Config(retries={"max_attempts": 1}, **config),
    )


@contextlib.contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[str]:
    """``server`` (bound to a loopback port) answering on a thread: its URL; shut down after."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def create_table(dynamodb: Any, name: str | None = None, *, range_key: bool = False) -> str:
    name = name or f"t-{uuid.uuid4().hex[:10]}"
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attributes.append({"AttributeName": "sk", "AttributeType": "S"})
    dynamodb.create_table(
        TableName=name, KeySchema=keys, AttributeDefinitions=attributes, BillingMode="PAY_PER_REQUEST"
    )
    return name


def write_a_bit_of_everything(url: str, *, ssm: bool) -> dict[str, Any]:
    dynamodb = client("dynamodb", url)
    table = create_table(dynamodb, "users", range_key=True)
    for i in range(5):
        dynamodb.put_item(
            TableName=table, Item={"pk": {"S": f"u{i}"}, "sk": {"S": "profile"}, "n": {"N": str(i)}}
        )
    dynamodb.update_item(
        TableName=table,
        Key={"pk": {"S": "u1"}, "sk": {"S": "profile"}},
        UpdateExpression="SET n = n + :one",
        ExpressionAttributeValues={":one": {"N": "10"}},
    )
    dynamodb.delete_item(TableName=table, Key={"pk": {"S": "u2"}, "sk": {"S": "profile"}})
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "u9"}, "sk": {"S": "profile"}}}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "u3"}, "sk": {"S": "profile"}}}},
        ],
        ClientRequestToken="token-before-the-crash",
    )
    secrets = client("secretsmanager", url)
    arn = secrets.create_secret(Name="app/jwt", SecretString="s3cr3t")["ARN"]
    if ssm:  # moto's SSM imports all of EC2 (~1 s per start): exercised by one test only
        client("ssm", url).put_parameter(Name="/app/flag", Value="on", Type="String")
    ses = client("ses", url)
    ses.verify_email_identity(EmailAddress="noreply@example.com")
    ses.send_email(
        Source="noreply@example.com",
        Destination={"ToAddresses": ["ada@example.com"]},
        Message={"Subject": {"Data": "Reset your password"}, "Body": {"Text": {"Data": "code 123456"}}},
    )
    return {"table": table, "secret_arn": arn, "ssm": ssm}


def assert_everything_is_there(url: str, written: dict[str, Any]) -> None:
    dynamodb = client("dynamodb", url)
    items = dynamodb.scan(TableName=written["table"])["Items"]
    assert sorted(i["pk"]["S"] for i in items) == ["u0", "u1", "u4", "u9"]
    u1 = dynamodb.get_item(TableName=written["table"], Key={"pk": {"S": "u1"}, "sk": {"S": "profile"}})[
        "Item"
    ]
    assert u1["n"] == {"N": "11"}
    secret = client("secretsmanager", url).get_secret_value(SecretId=written["secret_arn"])
    assert secret["SecretString"] == "s3cr3t"
    assert secret["ARN"] == written["secret_arn"]  # same random suffix as before the restart
    if written["ssm"]:
        assert client("ssm", url).get_parameter(Name="/app/flag")["Parameter"]["Value"] == "on"
    emails = json.loads(urllib.request.urlopen(url + "/_emulator/emails").read())
    assert [(e["to"], e["subject"], e["text"]) for e in emails] == [
        (["ada@example.com"], "Reset your password", "code 123456")
    ]
