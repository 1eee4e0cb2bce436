"""Shared by the embedded AWS tests: boto3 clients on the endpoint, tables."""

from __future__ import annotations

import uuid
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
