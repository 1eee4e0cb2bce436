"""A password change revokes the other sessions for good, even one its revocation missed.

"All other sessions" are listed through the Sessions table's UserIdIndex GSI, which is eventually
consistent on AWS: a session opened a moment before the change may not be listed yet. Such a
session is written here straight into the table (the embedded DynamoDB's GSI is consistent, so
the miss cannot happen by itself) and must then be refused at its next refresh, while a session
of the user's current generation refreshes. Runs on the real local stack.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from auth_service.tokens import hash_refresh_token, new_refresh_token, new_session_id

from loadtests.stack import LocalStack, StackOptions, local_stack
from tests.backend.real_stack import http_call

PASSWORD = "Generation-horse-battery-42"  # a throwaway account on a throwaway stack
NEW_PASSWORD = "Generation-staple-lantern-77"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with local_stack(tmp_path_factory.mktemp("generation"), StackOptions(bcrypt_rounds=4)) as running:
        yield running


def _sessions_table(stack: LocalStack) -> tuple[Any, str]:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=stack.aws_endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    name = next(table for table in dynamodb.list_tables()["TableNames"] if "SessionsTable" in table)
    return dynamodb, name


def _write_session(dynamodb: Any, table: str, user_id: str, generation: int) -> str:
    """A session as the login would have written it; returns its refresh token."""
    session_id = new_session_id()
    token = new_refresh_token(session_id)
    now = int(time.time())
    dynamodb.put_item(
        TableName=table,
        Item={
            "sessionId": {"S": session_id},
            "userId": {"S": user_id},
            "createdAt": {"S": "2026-11-25T00:00:00Z"},
            "expiresAt": {"N": str(now + 3600)},
            "refreshTokenHash": {"S": hash_refresh_token(token)},
            "refreshCount": {"N": "0"},
            "sessionGeneration": {"N": str(generation)},
        },
    )
    return token


def test_a_session_of_the_generation_before_a_password_change_cannot_refresh(stack: LocalStack) -> None:
    email = f"generation-{uuid.uuid4().hex[:10]}@example.com"
    status, _ = http_call(stack, "POST", "/auth/register", {"email": email, "password": PASSWORD})
    assert status == 201
    status, login = http_call(stack, "POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200
    user_id = login["user"]["userId"]
    status, _ = http_call(
        stack,
        "POST",
        "/users/me/password",
        {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD},
        token=login["accessToken"],
    )
    assert status == 204

    dynamodb, table = _sessions_table(stack)
    straggler = _write_session(dynamodb, table, user_id, generation=0)  # missed by the revocation
    current = _write_session(dynamodb, table, user_id, generation=1)

    status, body = http_call(stack, "POST", "/auth/refresh", {"refreshToken": straggler})
    assert status == 401
    assert body["error"]["code"] == "invalid_refresh_token"
    straggler_id = straggler.split(".", 1)[0]
    leftover = dynamodb.get_item(TableName=table, Key={"sessionId": {"S": straggler_id}}).get("Item")
    assert leftover is None
    status, _ = http_call(stack, "POST", "/auth/refresh", {"refreshToken": current})
    assert status == 200
    # ... and the session that changed the password moved to the new generation with it.
    status, _ = http_call(stack, "POST", "/auth/refresh", {"refreshToken": login["refreshToken"]})
    assert status == 200
