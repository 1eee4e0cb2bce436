"""Sessions table (pk ``sessionId``; GSI ``UserIdIndex`` on ``userId``; TTL ``expiresAt``).

Two item kinds share the table:

- a session: ``sessionId, userId, createdAt, expiresAt`` (epoch seconds, the absolute 30-day
  end, also the TTL), ``refreshTokenHash`` (SHA-256 of the current refresh token);
- a rotated-token marker: ``sessionId = "rotated#<hash>"``, ``rotatedFrom``, ``expiresAt``,
  written when a refresh token is rotated, so that a later use of it is recognised as reuse
  (RFC 9700 §4.14.2). Markers have no ``userId``, so they stay out of the sparse GSI.

TTL deletion is eventual (typically within days), so readers also check ``expiresAt``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from auth_service.repositories.dynamodb import (
    ItemRef,
    Table,
    as_int,
    error_code,
    plain,
    transact_write,
    write_one,
    write_together,
)

USER_ID_INDEX = "UserIdIndex"


def rotated_marker_key(token_hash: str) -> str:
    return f"rotated#{token_hash}"


class SessionsRepository:
    def __init__(self, sessions_table: str) -> None:
        self._name = sessions_table
        self._table = Table(sessions_table)

    def create(self, session: dict[str, Any], *, together_with: Sequence[Mapping[str, Any]] = ()) -> None:
        """Write a new session; ``together_with``: other TransactWriteItems members to send in the
        same round trip (e.g. the user's ``lastLoginAt``), see ``dynamodb.write_together``."""
        put = {
            "Put": {
                "TableName": self._name,
                "Item": session,
                "ConditionExpression": "attribute_not_exists(sessionId)",
            }
        }
        if together_with:
            write_together([*together_with, put])
        else:
            write_one(put)

    def generation_update(self, session_id: str, generation: int) -> dict[str, Any]:
        """Move a session to the user's new generation (a TransactWriteItems ``Update`` member)."""
        return {
            "Update": {
                "TableName": self._name,
                "Key": {"sessionId": session_id},
                "UpdateExpression": "SET sessionGeneration = :gen",
                "ConditionExpression": "attribute_exists(sessionId)",
                "ExpressionAttributeValues": {":gen": generation},
            }
        }

    def ref(self, session_id: str) -> ItemRef:
        """The session's item, to read along with others (``dynamodb.get_items``)."""
        return ItemRef(self._table, {"sessionId": session_id})

    def get(self, session_id: str) -> dict[str, Any] | None:
        item = self._table.get_item({"sessionId": session_id})
        if not item or "userId" not in item:
            return None
        return plain(item)

    def rotate_refresh_token(
        self, session_id: str, *, old_hash: str, new_hash: str, now_iso: str, marker_expires_at: int
    ) -> bool:
        """Swap the session's refresh token hash iff it is still ``old_hash``; False if lost a race."""
        try:
            transact_write(
                [
                    {
                        "Update": {
                            "TableName": self._name,
                            "Key": {"sessionId": session_id},
                            "UpdateExpression": "SET refreshTokenHash = :new, lastRefreshedAt = :now "
                            "ADD refreshCount :one",
                            "ConditionExpression": "refreshTokenHash = :old",
                            "ExpressionAttributeValues": {
                                ":new": new_hash,
                                ":old": old_hash,
                                ":now": now_iso,
                                ":one": 1,
                            },
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._name,
                            "Item": {
                                "sessionId": rotated_marker_key(old_hash),
                                "rotatedFrom": session_id,
                                "expiresAt": marker_expires_at,
                            },
                        }
                    },
                ]
            )
        except ClientError as error:
            if error_code(error) == "TransactionCanceledException":
                return False
            raise
        return True

    def session_of_rotated_token(self, token_hash: str) -> str | None:
        item = self._table.get_item({"sessionId": rotated_marker_key(token_hash)})
        return str(item["rotatedFrom"]) if item and "rotatedFrom" in item else None

    def delete(self, session_id: str) -> None:
        self._table.delete_item({"sessionId": session_id})

    def session_ids_of_user(self, user_id: str) -> list[str]:
        """All session ids of a user, via the GSI (eventually consistent, as GSIs are)."""
        items = self._table.query(
            IndexName=USER_ID_INDEX,
            KeyConditionExpression="userId = :uid",
            ExpressionAttributeValues={":uid": user_id},
            ProjectionExpression="sessionId",
        )
        return [str(item["sessionId"]) for item in items]

    def delete_many(self, session_ids: Iterable[str]) -> int:
        unique = sorted(set(session_ids))  # a BatchWriteItem must not name one key twice
        self._table.delete_items([{"sessionId": session_id} for session_id in unique])
        return len(unique)


def session_expires_at(session: dict[str, Any]) -> int:
    return as_int(session.get("expiresAt"))
