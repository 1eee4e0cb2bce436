"""RateLimits table (pk ``key``; TTL ``expiresAt``): atomic counters shared by all instances.

Counters use UpdateItem ``ADD`` — DynamoDB applies it atomically, so concurrent Lambda
instances never lose a count (no read-modify-write).

- IP windows: ``ip#<action>#<ip>#<windowStart>`` with ``hits``; a new key per window, so a
  stale (expired but not yet TTL-deleted) item is never read again.
- Account failures: ``acct#<email>`` with ``failures`` and ``lastFailureAt``; the condition
  on ``expiresAt`` restarts the count once the previous item has expired, since TTL deletion
  may lag by days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from auth_service.repositories.dynamodb import ItemRef, Table, as_int, is_conditional_failure


@dataclass(frozen=True)
class FailureRecord:
    failures: int
    last_failure_at: int
    expires_at: int


def ip_key(action: str, ip: str, window_start: int) -> str:
    return f"ip#{action}#{ip}#{window_start}"


def account_key(email: str) -> str:
    return f"acct#{email}"


def failure_record(item: Mapping[str, Any] | None, now: int) -> FailureRecord | None:
    """The failures on record in an ``acct#`` item; None if none, or if they expired (TTL lags)."""
    if not item or as_int(item.get("expiresAt")) <= now:
        return None
    return FailureRecord(
        failures=as_int(item.get("failures")),
        last_failure_at=as_int(item.get("lastFailureAt")),
        expires_at=as_int(item.get("expiresAt")),
    )


class RateLimitsRepository:
    def __init__(self, rate_limits_table: str) -> None:
        self._table = Table(rate_limits_table)

    def hit(self, key: str, expires_at: int) -> int:
        """Count one request under ``key``; returns the new count."""
        attributes = self._table.update_item(
            {"key": key},
            UpdateExpression="ADD hits :one SET expiresAt = if_not_exists(expiresAt, :exp)",
            ExpressionAttributeValues={":one": 1, ":exp": expires_at},
            ReturnValues="UPDATED_NEW",
        )
        return as_int(attributes.get("hits"))

    def failures_ref(self, key: str) -> ItemRef:
        """The failure counter's item, to read along with others (``dynamodb.get_items``)."""
        return ItemRef(self._table, {"key": key})

    def failures(self, key: str, now: int) -> FailureRecord | None:
        return failure_record(self._table.get_item({"key": key}), now)

    def record_failure(self, key: str, now: int, expires_at: int) -> int:
        """Add one failure; returns the consecutive failure count."""
        try:
            attributes = self._table.update_item(
                {"key": key},
                UpdateExpression="ADD failures :one SET lastFailureAt = :now, expiresAt = :exp",
                ConditionExpression="attribute_not_exists(expiresAt) OR expiresAt > :now",
                ExpressionAttributeValues={":one": 1, ":now": now, ":exp": expires_at},
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            # The previous run of failures expired: start counting again.
            self._table.put_item({"key": key, "failures": 1, "lastFailureAt": now, "expiresAt": expires_at})
            return 1
        return as_int(attributes.get("failures"))

    def clear(self, key: str) -> None:
        self._table.delete_item({"key": key})
