"""Run inside a child process whose environment is the LoginFunction's (see test_login_round_trips).

Signs in a registered user (``argv``: email, userId) through the login handler in several
situations, recording every DynamoDB operation the backend's clients send (a botocore
``before-call`` hook on boto3's default session, the one those clients are made from). Prints
one JSON object: per situation, the HTTP status and the operations in order; plus the stored
user after the last successful sign-in.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import uuid
from typing import Any

import boto3

calls: list[str] = []
# Run just before a TransactWriteItems is sent (the sign-in's last write), when set.
before_final_write: list[Any] = []


def _record(**kwargs: Any) -> None:
    calls.append(kwargs["model"].name)
    if kwargs["model"].name == "TransactWriteItems" and before_final_write:
        before_final_write.pop()()


boto3.setup_default_session()
boto3.DEFAULT_SESSION.events.register("before-call.dynamodb", _record)

from auth_service.handlers import login  # noqa: E402 - after the hook, as in a cold start

logging.disable(logging.CRITICAL)
PASSWORD = "Round-trip-horse-battery-42"  # a throwaway account on a throwaway stack


class Context:
    function_name = "round-trips"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:round-trips"
    memory_limit_in_mb = 256
    log_group_name = "/aws/lambda/round-trips"
    log_stream_name = "round-trips"
    aws_request_id = "round-trips"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def event(path: str, body: dict[str, Any], ip: str) -> dict[str, Any]:
    return {
        "resource": path,
        "path": path,
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"},
        "requestContext": {"requestId": str(uuid.uuid4()), "identity": {"sourceIp": ip}},
        "body": json.dumps(body),
    }


def main() -> None:
    email, user_id = sys.argv[1], sys.argv[2]
    results: list[dict[str, Any]] = []

    def sign_in(name: str, email_: str, password: str, ip: str) -> None:
        calls.clear()
        response = login.handler(event("/auth/login", {"email": email_, "password": password}, ip), Context())
        results.append({"name": name, "status": response["statusCode"], "calls": list(calls)})

    dynamodb = boto3.client("dynamodb")
    users_table = os.environ["USERS_TABLE"]

    def stored_hash() -> str:
        item = dynamodb.get_item(TableName=users_table, Key={"userId": {"S": user_id}}, ConsistentRead=True)
        return str(item["Item"]["passwordHash"]["S"])

    # A password change lands between the sign-in's bcrypt check and its final write: the sign-in
    # must lose (401), and its rehash must not write the old password back.
    changed_to = "$2b$05$" + "C" * 53  # another (well-formed) hash: the password was changed

    def change_password_now() -> None:
        dynamodb.update_item(
            TableName=users_table,
            Key={"userId": {"S": user_id}},
            UpdateExpression="SET passwordHash = :h",
            ExpressionAttributeValues={":h": {"S": changed_to}},
        )

    original_hash = stored_hash()
    before_final_write.append(change_password_now)
    sign_in("password changed during sign-in", email, PASSWORD, "10.9.0.1")
    raced_hash = stored_hash()
    dynamodb.update_item(  # back to the original password for the rest
        TableName=users_table,
        Key={"userId": {"S": user_id}},
        UpdateExpression="SET passwordHash = :h",
        ExpressionAttributeValues={":h": {"S": original_hash}},
    )

    # Each situation from its own source IP (the per-IP window and the per-address lock never
    # interfere with what is measured), except the lock itself: five failures from one address.
    sign_in("success", email, PASSWORD, "10.9.1.1")
    sign_in("wrong password", email, PASSWORD + "x", "10.9.1.2")
    sign_in("success after a failure", email, PASSWORD, "10.9.1.2")
    sign_in("unknown email", "nobody-" + email, PASSWORD, "10.9.1.4")
    for attempt in range(5):
        sign_in(f"wrong password {attempt + 1}", email, PASSWORD + "x", "10.9.2.1")
    sign_in("locked", email, PASSWORD, "10.9.2.1")
    sign_in("another address", email, PASSWORD, "10.9.3.1")
    stored = dynamodb.get_item(TableName=users_table, Key={"userId": {"S": user_id}}, ConsistentRead=True)[
        "Item"
    ]
    print(
        json.dumps(
            {
                "results": results,
                "user": {
                    "passwordHash": stored["passwordHash"]["S"],
                    "lastLoginAt": stored.get("lastLoginAt", {}).get("S"),
                },
                "race": {"original": original_hash, "changedTo": changed_to, "after": raced_hash},
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
