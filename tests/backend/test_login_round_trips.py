"""DynamoDB round trips per sign-in, counted on the real stack (embedded DynamoDB over HTTP).

The login handler runs in a child process with the LoginFunction's environment as serve gives
it (template + env vars + the embedded endpoint), so its clients talk to the stack's DynamoDB;
a botocore hook records each operation. The user is registered through the API at bcrypt cost 4
and the function runs at cost 5, so the first sign-in also rehashes — within the same calls.
The unit tests of this directory need no AWS; this one starts the stack (a few seconds).
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loadtests.stack import LocalStack, StackOptions, local_stack
from tests.backend.real_stack import function_environment, run_child

CHILD = Path(__file__).with_name("_login_round_trips_child.py")
STACK_OPTIONS = StackOptions(bcrypt_rounds=4, extra_env={"LOGIN_IP_LIMIT": "1000"})
PASSWORD = "Round-trip-horse-battery-42"  # a throwaway account on a throwaway stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with local_stack(tmp_path_factory.mktemp("round-trips"), STACK_OPTIONS) as running:
        yield running


def _register(stack: LocalStack, email: str) -> str:
    request = urllib.request.Request(
        stack.base_url + "/auth/register",
        data=json.dumps({"email": email, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return str(json.loads(response.read())["user"]["userId"])


@pytest.fixture(scope="module")
def sign_ins(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    env_vars_file = tmp_path_factory.mktemp("env") / "env.json"
    email = f"round-trips-{uuid.uuid4().hex}@example.com"
    user_id = _register(stack, email)
    environment = function_environment(stack, STACK_OPTIONS, "LoginFunction", env_vars_file)
    output = run_child(CHILD, environment, email, user_id, BCRYPT_ROUNDS="5")
    output["by_name"] = {result["name"]: result for result in output["results"]}
    return output


def test_a_successful_sign_in_costs_five_round_trips_with_the_rehash(sign_ins: dict[str, Any]) -> None:
    success = sign_ins["by_name"]["success"]
    assert success["status"] == 200
    # per-IP counter; lock + tally + email claim; the attempt reserved before the check; user;
    # lastLoginAt + rehash + cleared attempt + new session
    assert success["calls"] == [
        "UpdateItem",
        "TransactGetItems",
        "UpdateItem",
        "GetItem",
        "TransactWriteItems",
    ]
    stored = sign_ins["user"]
    assert stored["lastLoginAt"]
    assert stored["passwordHash"].startswith("$2b$05$")  # rehashed from cost 4 to the function's 5


def test_a_password_change_during_a_sign_in_wins(sign_ins: dict[str, Any]) -> None:
    raced = sign_ins["by_name"]["password changed during sign-in"]
    assert raced["status"] == 401
    race = sign_ins["race"]
    assert race["original"].startswith("$2b$04$")  # a rehash to cost 5 was due...
    assert race["after"] == race["changedTo"]  # ...and did not overwrite the new password


def test_unknown_email_and_wrong_password_are_refused_alike(sign_ins: dict[str, Any]) -> None:
    unknown, wrong = sign_ins["by_name"]["unknown email"], sign_ins["by_name"]["wrong password"]
    assert unknown["status"] == wrong["status"] == 401
    # counted before the check; the failure tallied for the email (no user read for an unknown one)
    assert unknown["calls"] == ["UpdateItem", "TransactGetItems", "UpdateItem", "UpdateItem"]
    assert wrong["calls"] == ["UpdateItem", "TransactGetItems", "UpdateItem", "GetItem", "UpdateItem"]


def test_a_success_after_failures_clears_them(sign_ins: dict[str, Any]) -> None:
    after = sign_ins["by_name"]["success after a failure"]
    assert after["status"] == 200
    assert after["calls"] == ["UpdateItem", "TransactGetItems", "UpdateItem", "GetItem", "TransactWriteItems"]
    statuses = [sign_ins["by_name"][f"wrong password {n}"]["status"] for n in range(1, 6)]
    assert statuses == [401, 401, 401, 401, 401]


def test_five_failures_lock_that_address_before_any_password_check(sign_ins: dict[str, Any]) -> None:
    fifth = sign_ins["by_name"]["wrong password 5"]
    # the fifth attempt holds the lock while checked, then locks it
    assert fifth["calls"] == [
        "UpdateItem",
        "TransactGetItems",
        "UpdateItem",
        "GetItem",
        "UpdateItem",
        "UpdateItem",
    ]
    locked = sign_ins["by_name"]["locked"]
    assert locked["status"] == 429
    assert locked["calls"] == ["UpdateItem", "TransactGetItems"]


def test_the_owner_signs_in_from_another_address_meanwhile(sign_ins: dict[str, Any]) -> None:
    assert sign_ins["by_name"]["another address"]["status"] == 200
