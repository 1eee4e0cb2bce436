"""RateLimits table (pk ``key``; TTL ``expiresAt``): atomic counters shared by all instances.

Every counter is an UpdateItem with ``ADD`` and, where a limit is enforced, a condition: DynamoDB
applies each atomically, so concurrent Lambda instances never lose a count, and never let more
attempts through than the condition allows (no read-modify-write).

- IP windows: ``ip#<action>#<ip>#<windowStart>`` with ``hits``; a new key per window, so a
  stale (expired but not yet TTL-deleted) item is never read again.
- Password locks: ``lock#<scope>#<subject>#<source>`` with ``failures`` (attempts counted *before*
  the password is checked), ``lockedUntil`` and ``expiresAt``. See ``services.brute_force``.
- Failure tallies: ``fails#<scope>#<subject>`` with ``failures`` and ``lastFailureAt``, across all
  sources; the condition on ``expiresAt`` restarts the count once the previous item has expired,
  since TTL deletion may lag by days.
- Send limits: ``send#<purpose>#<subject>`` with ``lastSentAt`` and an hourly ``sent`` count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from auth_service.repositories.dynamodb import (
    ItemRef,
    Table,
    as_int,
    cancellation_codes,
    error_code,
    is_conditional_failure,
    transact_write,
)


@dataclass(frozen=True)
class LockState:
    """A password lock item as read (all zeros when absent or expired)."""

    failures: int
    locked_until: int
    expired_leftover: bool = False  # an expired item still there (TTL deletion lags)

    def locked(self, now: float) -> bool:
        return self.locked_until > now


def ip_key(action: str, ip: str, window_start: int) -> str:
    return f"ip#{action}#{ip}#{window_start}"


def lock_key(scope: str, subject: str, source: str) -> str:
    return f"lock#{scope}#{subject}#{source}"


def tally_key(scope: str, subject: str) -> str:
    return f"fails#{scope}#{subject}"


def send_key(purpose: str, subject: str) -> str:
    return f"send#{purpose}#{subject}"


def send_window_key(purpose: str, subject: str, window_start: int) -> str:
    return f"send#{purpose}#{subject}#{window_start}"


def lock_state(item: Mapping[str, Any] | None, now: int) -> LockState:
    if not item:
        return LockState(0, 0)
    if as_int(item.get("expiresAt")) <= now:
        return LockState(0, 0, expired_leftover=True)
    return LockState(as_int(item.get("failures")), as_int(item.get("lockedUntil")))


def tally(item: Mapping[str, Any] | None, now: int) -> int:
    """Failures on record in a ``fails#`` item (0 if none, or if they expired: TTL lags)."""
    if not item or as_int(item.get("expiresAt")) <= now:
        return 0
    return as_int(item.get("failures"))


class RateLimitsRepository:
    def __init__(self, rate_limits_table: str) -> None:
        self._name = rate_limits_table
        self._table = Table(rate_limits_table)

    def ref(self, key: str) -> ItemRef:
        """An item of this table, to read along with others (``dynamodb.get_items``)."""
        return ItemRef(self._table, {"key": key})

    def get(self, key: str) -> dict[str, Any] | None:
        return self._table.get_item({"key": key})

    def hit(self, key: str, expires_at: int) -> int:
        """Count one request under ``key``; returns the new count."""
        attributes = self._table.update_item(
            {"key": key},
            UpdateExpression="ADD hits :one SET expiresAt = if_not_exists(expiresAt, :exp)",
            ExpressionAttributeValues={":one": 1, ":exp": expires_at},
            ReturnValues="UPDATED_NEW",
        )
        return as_int(attributes.get("hits"))

    # -- password locks ----------------------------------------------------------------------------
    def reserve_free_attempt(self, key: str, *, free_below: int, expires_at: int) -> int | None:
        """Count an attempt that cannot reach the lock threshold: only while fewer than ``free_below``
        are counted. Returns the new count, None if the condition failed (a concurrent attempt)."""
        return self._conditional_add(
            key,
            "ADD failures :one SET expiresAt = :exp",
            "attribute_not_exists(failures) OR failures < :free",
            {":one": 1, ":free": free_below, ":exp": expires_at},
        )

    def reserve_held_attempt(self, key: str, *, now: int, hold_until: int, expires_at: int) -> int | None:
        """Count an attempt that may reach the threshold, holding the lock until it is resolved, so
        that no concurrent attempt passes meanwhile. None if the lock is held or running."""
        return self._conditional_add(
            key,
            "ADD failures :one SET lockedUntil = :hold, expiresAt = :exp",
            "attribute_not_exists(lockedUntil) OR lockedUntil <= :now",
            {":one": 1, ":hold": hold_until, ":now": now, ":exp": expires_at},
        )

    def _conditional_add(self, key: str, update: str, condition: str, values: dict[str, Any]) -> int | None:
        try:
            attributes = self._table.update_item(
                {"key": key},
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            return None
        return as_int(attributes.get("failures"))

    def forget_expired(self, key: str, now: int) -> None:
        """Delete a lock item whose run has expired (TTL deletion lags), so counting starts afresh."""
        try:
            self._table.delete_item(
                {"key": key},
                ConditionExpression="expiresAt <= :now",
                ExpressionAttributeValues={":now": now},
            )
        except ClientError as error:
            if not is_conditional_failure(error):  # recreated meanwhile by a new attempt: keep it
                raise

    def set_lock(self, key: str, *, failures: int, locked_until: int) -> None:
        """After a failed check: the lock runs until ``locked_until`` (unless more were counted since)."""
        try:
            self._table.update_item(
                {"key": key},
                UpdateExpression="SET lockedUntil = :until",
                ConditionExpression="failures = :n",
                ExpressionAttributeValues={":until": locked_until, ":n": failures},
            )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise

    def clear_member(self, key: str) -> dict[str, Any]:
        """Delete ``key`` as a TransactWriteItems member (with the success's other writes)."""
        return {"Delete": {"TableName": self._name, "Key": {"key": key}}}

    def clear(self, key: str) -> None:
        self._table.delete_item({"key": key})

    def keys_under(self, bases: Sequence[str]) -> list[str]:
        """The keys equal to one of ``bases`` or under it (``base#...``): ``lock#login#a@b.c`` takes
        that email's locks from every source, not ``a@b.co``'s. A Scan: for ``auth_service.unlock``."""
        conditions = " OR ".join(f"begins_with(#k, :b{i})" for i in range(len(bases)))
        items = self._table.scan(
            ProjectionExpression="#k",
            FilterExpression=conditions,
            ExpressionAttributeNames={"#k": "key"},
            ExpressionAttributeValues={f":b{i}": base for i, base in enumerate(bases)},
        )
        keys = (str(item["key"]) for item in items)
        return [key for key in keys if any(key == base or key.startswith(base + "#") for base in bases)]

    def clear_keys(self, keys: Sequence[str]) -> None:
        self._table.delete_items([{"key": key} for key in keys])

    # -- send limits --------------------------------------------------------------------------------
    def take_send_slot(
        self,
        *,
        interval_key: str,
        window_key: str,
        now: int,
        min_interval_s: int,
        per_window: int,
        window_end: int,
    ) -> tuple[bool, bool]:
        """Count one email if the last was ``min_interval_s`` ago and the window is not full, both
        or neither (one transaction). Returns (interval ok, window ok); (True, True) when counted."""
        try:
            transact_write(
                [
                    {
                        "Update": {
                            "TableName": self._name,
                            "Key": {"key": interval_key},
                            "UpdateExpression": "SET lastSentAt = :now, expiresAt = :exp",
                            "ConditionExpression": (
                                "attribute_not_exists(lastSentAt) OR lastSentAt <= :cutoff"
                            ),
                            "ExpressionAttributeValues": {
                                ":now": now,
                                ":cutoff": now - min_interval_s,
                                ":exp": now + min_interval_s + 60,
                            },
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._name,
                            "Key": {"key": window_key},
                            "UpdateExpression": "ADD sent :one SET expiresAt = :exp",
                            "ConditionExpression": "attribute_not_exists(sent) OR sent < :max",
                            "ExpressionAttributeValues": {
                                ":one": 1,
                                ":max": per_window,
                                ":exp": window_end + 60,
                            },
                        }
                    },
                ]
            )
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            codes = cancellation_codes(error)
            if "ConditionalCheckFailed" not in codes:
                raise
            return (codes[0] != "ConditionalCheckFailed", codes[1:2] != ["ConditionalCheckFailed"])
        return True, True

    def last_sent_at(self, interval_key: str) -> int:
        item = self._table.get_item({"key": interval_key})
        return as_int(item.get("lastSentAt")) if item else 0

    # -- failure tallies ---------------------------------------------------------------------------
    def count_failure(self, key: str, now: int, expires_at: int) -> int:
        """Add one failure to a tally; returns the failures in the current run."""
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
