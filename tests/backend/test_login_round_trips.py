"""DynamoDB round trips per sign-in, counted on the real stack (embedded DynamoDB over HTTP).

The login handler runs in a child process with the LoginFunction's environment as serve gives
it (template + env vars + the embedded endpoint), so its clients talk to the stack's DynamoDB;
a botocore hook records each operation. The user is registered through the API at bcrypt cost 4
and the function runs at cost 5, so the first sign-in also rehashes — within the same calls.
The unit tests of this directory need no AWS; this one starts the stack (a few seconds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.aws import worker_environment
from emulator.template import apply_env_vars, load_app
from loadtests.stack import REPO_ROOT, LocalStack, StackOptions, local_stack

CHILD = Path(__file__).with_name("_login_round_trips_child.py")
STACK_OPTIONS = StackOptions(bcrypt_rounds=4, extra_env={"LOGIN_IP_LIMIT": "1000"})
PASSWORD = "Round-trip-horse-battery-42"  # a throwaway account on a throwaway stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with local_stack(tmp_path_factory.mktemp("round-trips"), STACK_OPTIONS) as running:
        yield running


def _login_environment(stack: LocalStack, env_vars_file: Path) -> dict[str, str]:
    overrides = dict(option.split("=", 1) for option in STACK_OPTIONS.parameter_overrides())
    overrides = {k: v.replace("{{emulator.url}}", stack.root_url) for k, v in overrides.items()}
    app = apply_env_vars(load_app(REPO_ROOT / "template.yaml", parameter_overrides=overrides), env_vars_file)
    aws = worker_environment(
        endpoint_url=stack.aws_endpoint_url, dynamodb_endpoint_url=None, region="us-east-1"
    )
    return {**app.functions["LoginFunction"].environment, **aws}


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
    env_vars_file.write_text(json.dumps(STACK_OPTIONS.env_vars()))
    email = f"round-trips-{uuid.uuid4().hex}@example.com"
    user_id = _register(stack, email)
    env = {
        **os.environ,
        **_login_environment(stack, env_vars_file),
        "BCRYPT_ROUNDS": "5",
        "PYTHONPATH": str(REPO_ROOT / "backend"),
    }
    proc = subprocess.run(
        [sys.executable, str(CHILD), email, user_id], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    output = json.loads(proc.stdout.strip().splitlines()[-1])
    output["by_name"] = {result["name"]: result for result in output["results"]}
    return output


def test_a_successful_sign_in_costs_four_round_trips_with_the_rehash(sign_ins: dict[str, Any]) -> None:
    success = sign_ins["by_name"]["success"]
    assert success["status"] == 200
    # per-IP counter; lockout counter + email claim; user; lastLoginAt + rehash + new session
    assert success["calls"] == ["UpdateItem", "TransactGetItems", "GetItem", "TransactWriteItems"]
    stored = sign_ins["user"]
    assert stored["lastLoginAt"]
    assert stored["passwordHash"].startswith("$2b$05$")  # rehashed from cost 4 to the function's 5


def test_unknown_email_and_wrong_password_are_refused_alike(sign_ins: dict[str, Any]) -> None:
    unknown, wrong = sign_ins["by_name"]["unknown email"], sign_ins["by_name"]["wrong password"]
    assert unknown["status"] == wrong["status"] == 401
    assert unknown["calls"] == ["UpdateItem", "TransactGetItems", "UpdateItem"]  # counted, no user read
    assert wrong["calls"] == ["UpdateItem", "TransactGetItems", "GetItem", "UpdateItem"]


def test_a_success_after_failures_clears_them(sign_ins: dict[str, Any]) -> None:
    after = sign_ins["by_name"]["success after a failure"]
    assert after["status"] == 200
    assert after["calls"] == ["UpdateItem", "TransactGetItems", "GetItem", "DeleteItem", "TransactWriteItems"]
    # cleared: the next four failures lock nothing; the fifth does
    statuses = [sign_ins["by_name"][f"wrong password {n}"]["status"] for n in range(1, 6)]
    assert statuses == [401, 401, 401, 401, 401]


def test_a_locked_account_is_refused_before_any_password_check(sign_ins: dict[str, Any]) -> None:
    locked = sign_ins["by_name"]["locked"]
    assert locked["status"] == 429
    assert locked["calls"] == ["UpdateItem", "TransactGetItems"]
