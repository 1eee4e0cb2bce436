"""Assertions shared by the conformance tests."""

from __future__ import annotations

from tests.emulator.aws.dynamodb_conformance.wire import Answer


def rejected(answer: Answer, error: str, *fragments: str) -> None:
    """DynamoDB answered HTTP 400 with ``error`` and a message naming the problem."""
    assert answer.status == 400, (answer.status, answer.body)
    assert answer.error == error, answer.body
    for fragment in fragments:
        assert fragment in answer.message, answer.body
