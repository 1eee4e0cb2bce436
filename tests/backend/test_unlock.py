"""``make unlock EMAIL=...`` end to end: a real stack over HTTP, its data dir, the Makefile target.

An account is locked by wrong passwords and the address runs into its per-IP sign-in limit;
``make unlock`` (the backend's ``auth_service.unlock`` run by ``python -m emulator exec`` with a
function's environment, against the stack's AWS endpoint found in its data dir) clears both:
the account signs in again, another account's session and profile are intact, and an email that
merely starts like the unlocked one stays locked. Any stage but ``local`` is refused.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator.launcher import run_serve, serve_argv
from tests.emulator.aws.helpers import client
from tests.integration.api import Api, assert_error, strong_password

ROOT = Path(__file__).resolve().parents[2]
LOGIN_IP_LIMIT = 16
# The per-IP limits count in fixed windows aligned to multiples of their length: with the default
# 300 s, a run crossing a multiple of five minutes saw its count restart (and one more sign-in
# answered). Windows of 10**9 s end next in 2033 and then in 2065.
IP_WINDOW_S = 10**9


@dataclass(frozen=True)
class Stack:
    base_url: str
    data_dir: Path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("unlock")
    argv = serve_argv(
        "--port",
        "0",
        "--data-dir",
        str(tmp / "data"),
        "--no-reload",
        "--env-vars",
        "env.local.json",
        "--parameter-overrides",
        "BcryptRounds=4",
        f"LoginIpLimit={LOGIN_IP_LIMIT}",
        f"IpLimitWindowSeconds={IP_WINDOW_S}",
        python=str(ROOT / ".venv" / "bin" / "python"),
    )
    with run_serve(argv, log_path=tmp / "serve.log", cwd=ROOT) as running:
        yield Stack(f"{running.root_url}/prod", tmp / "data")


def _make_unlock(stack: Stack, email: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "unlock", f"EMAIL={email}", f"DATA_DIR={stack.data_dir}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _table_keys(stack: Stack) -> dict[str, set[str]]:
    """Every table's item keys, read straight from the stack's embedded DynamoDB."""
    endpoint = json.loads((stack.data_dir / "aws" / "endpoint.json").read_text())["url"]
    dynamodb = client("dynamodb", endpoint)
    keys: dict[str, set[str]] = {}
    for table in dynamodb.list_tables()["TableNames"]:
        items = dynamodb.get_paginator("scan").paginate(TableName=table).build_full_result()["Items"]
        keys[table.removeprefix("local-")] = {json.dumps(_key_of(item), sort_keys=True) for item in items}
    return keys


def _key_of(item: dict) -> dict:
    return {
        name: value
        for name, value in item.items()
        if name in ("key", "userId", "identity", "sessionId", "pk")
    }


def test_make_unlock_clears_the_lock_and_the_ip_counters_and_keeps_the_data(stack):
    api = Api(stack.base_url, source_ip="127.0.0.61")
    locked = api.new_account("locked", display_name="Locked Out")
    other = api.new_account("other")
    other_tokens = api.login(other)
    look_alike = locked.email.removesuffix("m")  # ...@example.co: its keys start like the other's
    for email in (locked.email, look_alike):
        for _ in range(5):
            assert_error(api.login_response(email, strong_password()), 401, "invalid_credentials")
        assert_error(api.login_response(email, locked.password), 429, "account_locked")
    hits = 1 + 2 * 6  # the other account's sign-in, then 5 wrong passwords and the right one per email
    while (response := api.login_response(other.email, other.password)).status_code == 200:
        hits += 1
        assert hits <= LOGIN_IP_LIMIT, "the per-IP sign-in limit never answered"
    assert hits == LOGIN_IP_LIMIT
    assert_error(response, 429, "rate_limited")
    before = _table_keys(stack)
    rate_limit_keys = {json.loads(key)["key"]["S"] for key in before["RateLimitsTable"]}
    assert any(key.startswith(f"lock#login#{locked.email}#") for key in rate_limit_keys)
    assert any(key.startswith(f"lock#login#{look_alike}#") for key in rate_limit_keys)
    window_start = int(time.time()) // IP_WINDOW_S * IP_WINDOW_S  # the stack counts in long windows
    assert f"ip#login#127.0.0.61#{window_start}" in rate_limit_keys

    unlocked = _make_unlock(stack, locked.email.upper())  # any case, as sign-in takes it

    assert unlocked.returncode == 0, unlocked.stderr
    assert f"Unlocked {locked.email}" in unlocked.stdout
    after = _table_keys(stack)
    left = {json.loads(key)["key"]["S"] for key in after["RateLimitsTable"]}
    assert not any(
        key.startswith((f"lock#login#{locked.email}#", f"fails#login#{locked.email}")) for key in left
    )
    assert not any(key.startswith("ip#") for key in left)
    assert any(key.startswith(f"lock#login#{look_alike}#") for key in left)  # not that email's
    assert {table: keys for table, keys in after.items() if table != "RateLimitsTable"} == {
        table: keys for table, keys in before.items() if table != "RateLimitsTable"
    }  # users, identities, sessions, codes: untouched
    assert api.login(locked).user["displayName"] == "Locked Out"
    assert api.login(other).user["email"] == other.email
    assert api.validate(other_tokens.access).status_code == 200


def test_unlock_refuses_a_stage_that_is_not_local(stack):
    def unlock(*extra: str) -> subprocess.CompletedProcess[str]:
        # No env.local.json: the template's own STAGE (prod), as a deployed function has it.
        exec_ = [sys.executable, "-m", "emulator", "exec", "--data-dir", str(stack.data_dir), "LoginFunction"]
        return subprocess.run(
            [*exec_, "--", sys.executable, "-m", "auth_service.unlock", "nobody@example.com", *extra],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    refused = unlock()
    assert refused.returncode == 2
    assert "refusing to unlock on STAGE=prod" in refused.stderr
    assert unlock("--allow-stage", "prod").returncode == 0


def test_make_unlock_without_email_says_how(stack):
    missing = subprocess.run(
        ["make", "--no-print-directory", "unlock"], cwd=ROOT, capture_output=True, text=True
    )
    assert missing.returncode != 0
    assert "usage: make unlock EMAIL=" in missing.stderr
