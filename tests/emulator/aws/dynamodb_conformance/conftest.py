"""DynamoDB conformance: one test per documented rule, against any DynamoDB endpoint.

    pytest tests/emulator/aws/dynamodb_conformance                      # the embedded endpoint
    pytest tests/emulator/aws/dynamodb_conformance --dynamodb-url https://dynamodb.eu-west-1.amazonaws.com

With ``--dynamodb-url``, requests are signed with the usual AWS credentials (environment, profile,
SSO) for the region in the URL (or ``AWS_REGION``); the tests create a few on-demand tables named
``conformance-<random>-...`` and delete them at the end. Against the embedded endpoint (the
default), the session starts one in memory.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.emulator.aws.dynamodb_conformance.wire import DynamoDB


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dynamodb conformance")
    group.addoption(
        "--dynamodb-url",
        default=None,
        help="DynamoDB endpoint for tests/emulator/aws/dynamodb_conformance (default: an embedded one)",
    )


@pytest.fixture(scope="session")
def ddb(request: pytest.FixtureRequest) -> Iterator[DynamoDB]:
    url = request.config.getoption("--dynamodb-url")
    if url is not None:
        found = re.search(r"dynamodb\.([a-z0-9-]+)\.amazonaws", url)
        region = found.group(1) if found else os.environ.get("AWS_REGION", "us-east-1")
        dynamodb = DynamoDB(url, region, real_credentials=True)
        yield dynamodb
        dynamodb.delete_tables()
        return
    from emulator.aws import EmbeddedAws

    with EmbeddedAws(ttl_sweep_interval_s=0) as aws:
        yield DynamoDB(aws.endpoint_url, "us-east-1", real_credentials=False)


@pytest.fixture(scope="session")
def simple(ddb: DynamoDB) -> str:
    """A table with a string partition key ``pk`` only."""
    return ddb.create_table(f"conformance-{uuid.uuid4().hex[:8]}-simple", keys=[("pk", "S")])


@pytest.fixture(scope="session")
def sorted_table(ddb: DynamoDB) -> str:
    """``pk`` (S) and sort key ``sk`` (S)."""
    return ddb.create_table(f"conformance-{uuid.uuid4().hex[:8]}-sorted", keys=[("pk", "S"), ("sk", "S")])


@pytest.fixture(scope="session")
def indexed(ddb: DynamoDB) -> str:
    """``pk`` (S) with a global secondary index ``by-g`` on ``g`` (S)."""
    return ddb.create_table(
        f"conformance-{uuid.uuid4().hex[:8]}-indexed", keys=[("pk", "S")], index=("by-g", "g", "S")
    )


@pytest.fixture
def key() -> dict[str, Any]:
    """A fresh item key for the simple and indexed tables."""
    return {"pk": {"S": f"k-{uuid.uuid4().hex[:12]}"}}
