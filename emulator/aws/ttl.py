"""DynamoDB Time to Live: expired items are deleted by a background sweep (moto never does it).

AWS rules mimicked (Developer Guide, "Using DynamoDB Time to Live"): only tables with TTL
ENABLED; the item must carry the TTL attribute as a top-level Number holding epoch seconds; an
item expires once that time is past; values more than five years in the past are ignored. AWS
deletes "typically within a few days"; here it happens at the next sweep (default every 60 s,
or on demand, or when the emulator clock moves: ``python -m emulator clock``, whose offset the
sweep adds to real time). Deletions are ordinary DeleteItem requests through the endpoint, so they take the
same lock, go to the journal and update the indexes, and each carries a condition on the TTL
value it saw: an item whose TTL was extended meanwhile is kept.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from emulator import log
from emulator.aws import portable_dynamodb
from emulator.aws.endpoint import EmbeddedEndpointApp
from emulator.aws.requests import AwsRequest

FIVE_YEARS_S = 5 * 365 * 24 * 3600


@dataclass(frozen=True)
class ExpiredItem:
    account_id: str
    region: str
    table_name: str
    key: dict[str, Any]
    ttl_attribute: str
    ttl_value: dict[str, Any]  # {"N": "..."} as seen by the sweep

    def delete_request(self) -> AwsRequest:
        body = {
            "TableName": self.table_name,
            "Key": self.key,
            "ConditionExpression": "#ttl = :seen",
            "ExpressionAttributeNames": {"#ttl": self.ttl_attribute},
            "ExpressionAttributeValues": {":seen": self.ttl_value},
        }
        headers = {
            "Authorization": (
                f"AWS4-HMAC-SHA256 Credential=emulator-ttl/20260101/{self.region}/dynamodb/aws4_request, "
                "SignedHeaders=host, Signature=0"
            ),
            "X-Amz-Target": "DynamoDB_20120810.DeleteItem",
            "Content-Type": "application/x-amz-json-1.0",
            "x-moto-account-id": self.account_id,  # moto's own header to pick the account
        }
        return AwsRequest.build(
            method="POST", path="/", query="", headers=headers, body=json.dumps(body).encode()
        )


def find_expired(now: float) -> list[ExpiredItem]:
    """Caller holds the endpoint lock."""
    expired: list[ExpiredItem] = []
    for account_id, region, table in portable_dynamodb.dynamodb_tables():
        ttl = table.ttl
        attribute = ttl.get("AttributeName")
        if ttl.get("TimeToLiveStatus") != "ENABLED" or not attribute:
            continue
        for item in table.all_items():
            value = item.attrs.get(attribute)
            if value is None or value.type != "N":
                continue
            try:
                expires_at = float(value.value)
            except ValueError:
                continue
            if now - FIVE_YEARS_S <= expires_at < now:
                key = {table.hash_key_attr: item.hash_key.to_json()}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = item.range_key.to_json()
                expired.append(ExpiredItem(account_id, region, table.name, key, attribute, value.to_json()))
    return expired


class TtlSweeper:
    def __init__(self, app: EmbeddedEndpointApp, interval_s: float, *, clock_offset_s: float = 0.0) -> None:
        self.app = app
        self.interval_s = interval_s
        # The emulator clock's offset (emulator.clock): items expire by the shifted time.
        self.clock_offset_s = clock_offset_s
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep(self, now: float | None = None) -> int:
        """Delete every expired item; returns how many were deleted."""
        now = time.time() + self.clock_offset_s if now is None else now
        with self.app.lock:
            candidates = find_expired(now)
        # One request per item, each taking the lock on its own: a big sweep never stalls clients.
        return sum(1 for item in candidates if self.app.execute(item.delete_request()).ok)

    def follow_clock(self, offset_s: float) -> int:
        """The emulator clock moved: expire by the new time, at once; returns how many were deleted."""
        self.clock_offset_s = offset_s
        return self.sweep()

    def start(self) -> None:
        if self.interval_s > 0:
            self._thread = threading.Thread(target=self._run, name="ttl-sweeper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(self.interval_s):
            try:
                self.sweep()
            except Exception as exc:  # a sweep must never kill the endpoint; the next one retries
                logging.getLogger(log.AWS_ENDPOINT).error("TTL sweep failed: %r", exc)
