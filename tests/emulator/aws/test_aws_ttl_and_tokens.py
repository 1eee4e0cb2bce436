"""TTL sweeps (HTTP and CLI) and ClientRequestToken idempotency of TransactWriteItems."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

import pytest

from .helpers import create_table


def _sweep(endpoint: str) -> int:
    request = urllib.request.Request(endpoint + "/_emulator/ttl/sweep", method="POST", data=b"")
    return json.loads(urllib.request.urlopen(request).read())["deleted"]


def _keys(dynamodb, table: str) -> list[str]:
    return sorted(i["pk"]["S"] for i in dynamodb.scan(TableName=table)["Items"])


def test_sweep_deletes_expired_items_only(endpoint, dynamodb):
    now = int(time.time())
    with_ttl = create_table(dynamodb)
    dynamodb.update_time_to_live(
        TableName=with_ttl, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"}
    )
    without_ttl = create_table(dynamodb)
    items = {
        "expired": {"N": str(now - 10)},
        "future": {"N": str(now + 3600)},
        "string-ttl": {"S": str(now - 10)},  # not a Number: DynamoDB ignores it
        "ancient": {"N": str(now - 6 * 365 * 24 * 3600)},  # > 5 years in the past: ignored too
    }
    for key, ttl in items.items():
        for table in (with_ttl, without_ttl):
            dynamodb.put_item(TableName=table, Item={"pk": {"S": key}, "expiresAt": ttl})
    dynamodb.put_item(TableName=with_ttl, Item={"pk": {"S": "no-ttl"}})

    assert _sweep(endpoint) == 1

    assert _keys(dynamodb, with_ttl) == ["ancient", "future", "no-ttl", "string-ttl"]
    assert _keys(dynamodb, without_ttl) == ["ancient", "expired", "future", "string-ttl"]
    assert _sweep(endpoint) == 0


def test_sweep_from_the_cli_updates_indexes_too(endpoint, dynamodb):
    table = f"ttl-gsi-{int(time.time() * 1000)}"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "userId", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byUser",
                "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
    )
    dynamodb.put_item(
        TableName=table,
        Item={"pk": {"S": "session-1"}, "userId": {"S": "u1"}, "ttl": {"N": str(int(time.time()) - 1)}},
    )

    out = subprocess.run(
        [sys.executable, "-m", "emulator", "ttl-sweep", "--endpoint", endpoint],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert "Deleted 1 expired item." in out
    by_user = dynamodb.query(
        TableName=table,
        IndexName="byUser",
        KeyConditionExpression="userId = :u",
        ExpressionAttributeValues={":u": {"S": "u1"}},
    )
    assert by_user["Items"] == []


def _add_one(table: str, token: str, amount: str = "1") -> dict:
    return {
        "TransactItems": [
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": {"S": "counter"}},
                    "UpdateExpression": "ADD n :amount",
                    "ExpressionAttributeValues": {":amount": {"N": amount}},
                }
            }
        ],
        "ClientRequestToken": token,
    }


def test_client_request_token_makes_a_transaction_idempotent(endpoint, dynamodb):
    table = create_table(dynamodb)

    dynamodb.transact_write_items(**_add_one(table, "token-1"))
    dynamodb.transact_write_items(**_add_one(table, "token-1"))  # a retry: not applied again
    counter = dynamodb.get_item(TableName=table, Key={"pk": {"S": "counter"}})["Item"]
    assert counter["n"] == {"N": "1"}

    dynamodb.transact_write_items(**_add_one(table, "token-2"))  # another token: a new request
    counter = dynamodb.get_item(TableName=table, Key={"pk": {"S": "counter"}})["Item"]
    assert counter["n"] == {"N": "2"}


def test_same_token_with_other_parameters_is_a_mismatch(endpoint, dynamodb):
    table = create_table(dynamodb)
    dynamodb.transact_write_items(**_add_one(table, "token-x"))

    with pytest.raises(dynamodb.exceptions.IdempotentParameterMismatchException):
        dynamodb.transact_write_items(**_add_one(table, "token-x", amount="5"))


def test_a_cancelled_transaction_does_not_consume_its_token(endpoint, dynamodb):
    table = create_table(dynamodb)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "taken"}})
    claim = {
        "TransactItems": [
            {
                "Put": {
                    "TableName": table,
                    "Item": {"pk": {"S": "taken"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ],
        "ClientRequestToken": "token-c",
    }
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(**claim)
    dynamodb.delete_item(TableName=table, Key={"pk": {"S": "taken"}})

    dynamodb.transact_write_items(**claim)  # tried again for real, and now it succeeds
    assert _keys(dynamodb, table) == ["taken"]


def test_worker_environment_points_boto3_at_the_endpoints():
    from emulator.aws import worker_environment

    embedded = worker_environment(
        endpoint_url="http://127.0.0.1:4566",
        dynamodb_endpoint_url=None,
        region="eu-west-1",
        host_environment={},
    )
    assert embedded["AWS_ENDPOINT_URL"] == embedded["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:4566"
    assert embedded["AWS_REGION"] == embedded["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert embedded["AWS_ACCESS_KEY_ID"]
    assert embedded["AWS_SECRET_ACCESS_KEY"]

    external = worker_environment(
        endpoint_url="http://127.0.0.1:4566",
        dynamodb_endpoint_url="http://127.0.0.1:8000",
        region="us-east-1",
        host_environment={},
    )
    assert external["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:8000"
    assert external["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"


def test_worker_environment_passes_the_users_credentials_on_for_real_endpoints():
    from emulator.aws import worker_environment

    env = worker_environment(
        endpoint_url="http://127.0.0.1:4566",
        dynamodb_endpoint_url="https://dynamodb.eu-west-1.amazonaws.com",
        region="eu-west-1",
        host_environment={"AWS_PROFILE": "dev", "HOME": "/home/ada"},
    )
    assert env["AWS_PROFILE"] == "dev"
    assert "AWS_ACCESS_KEY_ID" not in env
    assert "HOME" not in env


def test_worker_environment_for_boto3_from_a_real_process(endpoint, dynamodb):
    from emulator.aws import worker_environment

    table = create_table(dynamodb)
    env = {"PATH": "/usr/bin:/bin"} | worker_environment(
        endpoint_url=endpoint, dynamodb_endpoint_url=None, region="us-east-1"
    )
    item = {"pk": {"S": "from-a-worker"}}
    code = f"import boto3; boto3.client('dynamodb').put_item(TableName={table!r}, Item={item!r})"
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    assert _keys(dynamodb, table) == ["from-a-worker"]
