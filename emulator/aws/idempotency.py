"""``ClientRequestToken`` for DynamoDB ``TransactWriteItems`` (moto ignores it).

AWS: "A client request token is valid for 10 minutes after the first request that uses it is
completed. After 10 minutes, any request with the same client token is treated as a new request.
If you submit a request with the same client token but a change in other parameters within the
10-minute idempotency window, DynamoDB returns an IdempotentParameterMismatch exception."
Only a transaction that succeeded is remembered: a cancelled one changed nothing, so a retry with
the same token is simply tried again.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from emulator.aws.requests import AwsRequest, AwsResponse

IDEMPOTENCY_WINDOW_S = 600.0


@dataclass(frozen=True)
class RememberedTransaction:
    completed_at: float  # epoch seconds
    parameters_digest: str
    response: AwsResponse


class TransactionTokens:
    def __init__(self) -> None:
        self._by_token: dict[str, RememberedTransaction] = {}

    @staticmethod
    def token_of(request: AwsRequest) -> str | None:
        if request.service != "dynamodb" or request.action != "TransactWriteItems":
            return None
        token = request.json().get("ClientRequestToken")
        return token if isinstance(token, str) and token else None

    @staticmethod
    def digest(request: AwsRequest) -> str:
        parameters = {k: v for k, v in request.json().items() if k != "ClientRequestToken"}
        canonical = json.dumps(parameters, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def lookup(self, token: str, request: AwsRequest, *, now: float | None = None) -> AwsResponse | None:
        """The earlier response for this token, a mismatch error, or None (a new request)."""
        now = time.time() if now is None else now
        remembered = self._by_token.get(token)
        if remembered is None or now - remembered.completed_at > IDEMPOTENCY_WINDOW_S:
            return None
        if remembered.parameters_digest != self.digest(request):
            return AwsResponse.json_error(
                "400 Bad Request",
                "IdempotentParameterMismatchException",
                "Request parameters do not match the original request with the same ClientRequestToken",
            )
        return remembered.response

    def remember(self, token: str, request: AwsRequest, response: AwsResponse, completed_at: float) -> None:
        self._prune(completed_at)
        self._by_token.pop(token, None)
        self._by_token[token] = RememberedTransaction(completed_at, self.digest(request), response)

    def record(self, token: str) -> dict[str, Any]:
        remembered = self._by_token[token]
        return {
            "token": token,
            "completed_at": remembered.completed_at,
            "digest": remembered.parameters_digest,
            "response": remembered.response.to_record(),
        }

    def restore_record(self, entry: dict[str, Any]) -> None:
        self._by_token[entry["token"]] = RememberedTransaction(
            entry["completed_at"], entry["digest"], AwsResponse.from_record(entry["response"])
        )

    def to_state(self) -> list[dict[str, Any]]:
        self._prune(time.time())
        return [self.record(token) for token in self._by_token]

    def load_state(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            self.restore_record(entry)
        self._prune(time.time())

    def _prune(self, now: float) -> None:
        # Tokens are kept in completion order, so the expired ones are at the front.
        while self._by_token:
            token, oldest = next(iter(self._by_token.items()))
            if now - oldest.completed_at <= IDEMPOTENCY_WINDOW_S:
                break
            del self._by_token[token]
