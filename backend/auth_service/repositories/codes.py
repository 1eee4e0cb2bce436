"""Codes table (pk ``key``; TTL ``expiresAt``): one-time codes, stored only as keyed hashes.

An item ``<purpose>#<subject>`` (``verify#<userId>``, ``reset#<email>``) holds the current code's
``codeHash`` (``keyed_hash.KeyedHasher.code_hash``), the ``userId`` it is for, its ``attempts`` and
``expiresAt``. Writing a new code replaces the item, so a new code voids the old one. A check takes
an attempt first (a conditional ``ADD``: at most ``MAX_ATTEMPTS`` checks per code, even when sent
at once), and a right code is spent by a Delete conditioned on its hash, in the same transaction
as what it unlocks (so a code works once, and never after it was replaced).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from auth_service.repositories.dynamodb import Table, as_int, is_conditional_failure

MAX_ATTEMPTS = 5


def code_key(purpose: str, subject: str) -> str:
    return f"{purpose}#{subject}"


class CodesRepository:
    def __init__(self, codes_table: str) -> None:
        self._name = codes_table
        self._table = Table(codes_table)

    def put(self, key: str, *, code_hash: str, user_id: str, created_at: int, expires_at: int) -> None:
        self._table.put_item(
            {
                "key": key,
                "codeHash": code_hash,
                "userId": user_id,
                "attempts": 0,
                "createdAt": created_at,
                "expiresAt": expires_at,
            }
        )

    def take_attempt(self, key: str, now: int) -> dict[str, Any] | None:
        """Count one check of the current code; the item, or None (no live code, or no tries left)."""
        try:
            item = self._table.update_item(
                {"key": key},
                UpdateExpression="ADD attempts :one",
                ConditionExpression="attribute_exists(codeHash) AND attempts < :max AND expiresAt > :now",
                ExpressionAttributeValues={":one": 1, ":max": MAX_ATTEMPTS, ":now": now},
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if is_conditional_failure(error):
                return None
            raise
        return {**item, "attempts": as_int(item.get("attempts"))}

    def spend_member(self, key: str, code_hash: str) -> dict[str, Any]:
        """The code's deletion, on condition it is still this code (a TransactWriteItems member)."""
        return {
            "Delete": {
                "TableName": self._name,
                "Key": {"key": key},
                "ConditionExpression": "codeHash = :hash",
                "ExpressionAttributeValues": {":hash": code_hash},
            }
        }
