"""The tables browser's tests' ``serve``: the ``tables_app`` fixture template (a table with a sort
key, a GSI, an LSI and TTL; a simple table), and boto3 on the DynamoDB endpoint its functions use."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.emulator.aws.helpers import client
from tests.emulator.dashboard.browsing import serving

API = "/_emulator/api/tables"


@dataclass(frozen=True)
class ServedTables:
    url: str
    dynamodb: Any  # boto3, on the DynamoDB endpoint serve's functions use
    aws_endpoint: str  # serve's own embedded endpoint

    def api(self, path: str = "") -> str:
        return f"{self.url}{API}{path}"

    def table_page(self, name: str = "accounts") -> str:
        return f"{self.url}/_emulator/tables/{name}"

    def put(self, pk: str, sk: str = "profile", **attributes: str) -> None:
        item = {"pk": {"S": pk}, "sk": {"S": sk}} | {name: {"S": value} for name, value in attributes.items()}
        self.dynamodb.put_item(TableName="accounts", Item=item)

    def get(self, pk: str, sk: str = "profile") -> dict[str, Any] | None:
        key = {"pk": {"S": pk}, "sk": {"S": sk}}
        return self.dynamodb.get_item(TableName="accounts", Key=key, ConsistentRead=True).get("Item")


@contextlib.contextmanager
def serve_tables_app(tmp: Path, *, dynamodb_endpoint: str | None = None) -> Iterator[ServedTables]:
    """``serve`` of ``tables_app`` on a free port (``--dynamodb-endpoint`` when given)."""
    extra = ("--dynamodb-endpoint", dynamodb_endpoint) if dynamodb_endpoint else ()
    with serving("tables_app", tmp, *extra) as running:
        assert running.aws_endpoint is not None
        dynamodb = client("dynamodb", dynamodb_endpoint or running.aws_endpoint)
        yield ServedTables(running.root_url, dynamodb, running.aws_endpoint)
