"""DynamoDB's JSON protocol spoken directly (signed with SigV4), so that a test can send what
an SDK would refuse to send (malformed JSON, wrong types, bad enum values) and read the answer
as sent: HTTP status, ``__type``, message."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.waiter import WaiterModel, create_waiter_with_client

_TARGET_PREFIX = "DynamoDB_20120810"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def error(self) -> str:
        """``ValidationException`` from ``com.amazonaws.dynamodb.v20120810#ValidationException``."""
        return str(self.body.get("__type", "")).rsplit("#", 1)[-1]

    @property
    def message(self) -> str:
        return str(self.body.get("message") or self.body.get("Message") or "")


class DynamoDB:
    def __init__(self, url: str, region: str, *, real_credentials: bool) -> None:
        self.url = url
        self.region = region
        session = boto3.session.Session(region_name=region)
        if real_credentials:
            self.credentials = session.get_credentials().get_frozen_credentials()
            self.client = session.client("dynamodb", endpoint_url=url)
        else:
            self.credentials = Credentials("AKIACONFORMANCETEST0", "conformance")
            self.client = session.client(
                "dynamodb",
                endpoint_url=url,
                aws_access_key_id=self.credentials.access_key,
                aws_secret_access_key=self.credentials.secret_key,
                config=Config(retries={"max_attempts": 1}),
            )
        self.http = requests.Session()
        self.tables: list[str] = []

    def send(self, operation: str, body: dict[str, Any] | bytes | str) -> Answer:
        """One request as DynamoDB receives it; the answer as it sent it."""
        data = (
            body
            if isinstance(body, bytes)
            else body.encode()
            if isinstance(body, str)
            else json.dumps(body).encode()
        )
        request = AWSRequest(
            method="POST",
            url=self.url,
            data=data,
            headers={
                "X-Amz-Target": f"{_TARGET_PREFIX}.{operation}",
                "Content-Type": "application/x-amz-json-1.0",
            },
        )
        SigV4Auth(self.credentials, "dynamodb", self.region).add_auth(request)
        response = self.http.post(self.url, data=data, headers=dict(request.headers), timeout=30)
        try:
            parsed = response.json()
        except ValueError:
            parsed = {"__type": f"<not JSON: {response.text[:200]!r}>"}
        return Answer(response.status_code, parsed if isinstance(parsed, dict) else {})

    def ok(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.send(operation, body)
        assert answer.status == 200, (answer.status, answer.body)
        return answer.body

    def create_table(
        self, name: str, *, keys: list[tuple[str, str]], index: tuple[str, str, str] | None = None
    ) -> str:
        definitions = {n: t for n, t in keys}
        schema = [
            {"AttributeName": n, "KeyType": kt} for (n, _), kt in zip(keys, ("HASH", "RANGE"), strict=False)
        ]
        body: dict[str, Any] = {"TableName": name, "KeySchema": schema, "BillingMode": "PAY_PER_REQUEST"}
        if index is not None:
            index_name, attribute, kind = index
            definitions[attribute] = kind
            body["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index_name,
                    "KeySchema": [{"AttributeName": attribute, "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ]
        body["AttributeDefinitions"] = [
            {"AttributeName": n, "AttributeType": t} for n, t in definitions.items()
        ]
        self.ok("CreateTable", body)
        self.tables.append(name)
        self.client.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60}
        )
        if index is not None:  # on AWS a new index may still be CREATING after the table is ACTIVE
            _index_active_waiter(self.client).wait(TableName=name)
        return name

    def delete_tables(self) -> None:
        for name in self.tables:
            self.send("DeleteTable", {"TableName": name})


def _index_active_waiter(client: Any) -> Any:
    model = WaiterModel(
        {
            "version": 2,
            "waiters": {
                "IndexesActive": {
                    "operation": "DescribeTable",
                    "delay": 2,
                    "maxAttempts": 150,
                    "acceptors": [
                        {
                            "state": "success",
                            "matcher": "pathAll",
                            "argument": "Table.GlobalSecondaryIndexes[].IndexStatus",
                            "expected": "ACTIVE",
                        }
                    ],
                }
            },
        }
    )
    return create_waiter_with_client("IndexesActive", model, client)
