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
boto3.setup_default_session()
boto3.DEFAULT_SESSION.events.register("before-call.dynamodb", lambda **kw: calls.append(kw["model"].name))

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

    # Each from its own source IP: the per-IP window never interferes with what is measured.
    sign_in("success", email, PASSWORD, "10.9.1.1")
    sign_in("wrong password", email, PASSWORD + "x", "10.9.1.2")
    sign_in("success after a failure", email, PASSWORD, "10.9.1.3")
    sign_in("unknown email", "nobody-" + email, PASSWORD, "10.9.1.4")
    for attempt in range(5):
        sign_in(f"wrong password {attempt + 1}", email, PASSWORD + "x", f"10.9.2.{attempt}")
    sign_in("locked", email, PASSWORD, "10.9.3.1")
    stored = boto3.client("dynamodb").get_item(
        TableName=os.environ["USERS_TABLE"], Key={"userId": {"S": user_id}}, ConsistentRead=True
    )["Item"]
    print(
        json.dumps(
            {
                "results": results,
                "user": {
                    "passwordHash": stored["passwordHash"]["S"],
                    "lastLoginAt": stored.get("lastLoginAt", {}).get("S"),
                },
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
