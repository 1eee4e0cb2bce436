"""The emulator clock over real HTTP, on the project's own stack (template.yaml + backend/).

A stack of its own (moving its clock would disturb other tests' tokens): an access token
expires after ``clock advance`` (the authorizer's PyJWT check answers 401) while the refresh
token lives on, the local identity provider's tokens follow the clock, and a TTL item past its
time is swept at once. No sleep anywhere: the clock moves, real time does not have to.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from emulator.launcher import RunningServe, run_serve, serve_argv
from tests.emulator.aws.helpers import client
from tests.integration.api import Api, assert_unauthorized

ROOT = Path(__file__).resolve().parents[2]
# make up's app: template.yaml, env.local.json, then the integration suite's fast bcrypt.
STACK_ARGV = serve_argv(
    "--port", "0", "--no-reload", "--env-vars", "env.local.json", "--env-vars", "tests/integration/env.json"
)  # fmt: skip


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServe]:
    tmp = tmp_path_factory.mktemp("clock")
    # A data dir, so that the endpoint restarted by a test keeps the tables (as under make up).
    argv = [*STACK_ARGV, "--data-dir", str(tmp / "data")]
    with run_serve(argv, log_path=tmp / "serve.log", cwd=ROOT) as running:
        yield running


@pytest.fixture
def clock(stack: RunningServe) -> Iterator[str]:
    """The clock's URL; back to real time after each test."""
    url = f"{stack.root_url}/_emulator/clock"
    yield url
    assert requests.post(url, json={"reset": True}, timeout=30).status_code == 200


@pytest.fixture
def api(stack: RunningServe) -> Iterator[Api]:
    client_ = Api(f"{stack.root_url}/prod")
    yield client_
    client_.close()


def _advance(clock_url: str, duration: str | float) -> dict:
    answer = requests.post(clock_url, json={"advance": duration}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_access_token_expires_and_the_refresh_token_lives_on(stack, clock, api):
    account = api.new_account("clock")
    tokens = api.login(account)
    assert api.validate(tokens.access).status_code == 200

    state = _advance(clock, "16m")  # the access token lives 15 minutes
    assert state["offsetSeconds"] == 960

    assert_unauthorized(api.validate(tokens.access))  # the authorizer's exp check
    assert_unauthorized(api.get("/users/me", token=tokens.access))
    renewed = api.refresh(tokens.refresh)  # the session and the refresh token are still alive
    assert api.validate(renewed.access).status_code == 200
    assert api.get("/users/me", token=renewed.access).json()["user"]["email"] == account.email


def test_a_token_issued_on_the_shifted_clock_lives_its_full_time_from_there(stack, clock, api):
    account = api.new_account("clock")
    _advance(clock, "2d")
    tokens = api.login(account)
    assert api.validate(tokens.access).status_code == 200  # not expired at once, not "issued in future"
    _advance(clock, "14m")
    assert api.validate(tokens.access).status_code == 200
    _advance(clock, "2m")
    assert_unauthorized(api.validate(tokens.access))


def test_google_sign_in_follows_the_clock(stack, clock, api):
    _advance(clock, "3h")  # past the local identity provider's one-hour ID tokens, were they real-time
    minted = requests.post(
        f"{stack.root_url}/_emulator/idp/token", json={"email": "clock-google@example.com"}, timeout=30
    )
    assert minted.status_code == 200
    signed_in = api.google_response(minted.json()["idToken"])
    assert signed_in.status_code == 200, signed_in.text


def test_a_ttl_item_past_its_time_is_swept_when_the_clock_passes_it(stack, clock):
    dynamodb = client("dynamodb", stack.aws_endpoint)
    [table] = [name for name in dynamodb.list_tables()["TableNames"] if name.endswith("RateLimitsTable")]
    assert dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]["TimeToLiveStatus"] == (
        "ENABLED"
    )
    now = int(time.time())
    for key, expires_at in (("clock-test#10m", now + 600), ("clock-test#1h", now + 3600)):
        dynamodb.put_item(TableName=table, Item={"key": {"S": key}, "expiresAt": {"N": str(expires_at)}})

    _advance(clock, "15m")  # the endpoint sweeps as soon as it is told

    assert "Item" not in dynamodb.get_item(TableName=table, Key={"key": {"S": "clock-test#10m"}})
    assert "Item" in dynamodb.get_item(TableName=table, Key={"key": {"S": "clock-test#1h"}})


def test_show_advance_and_reset_over_http(stack, clock):
    shown = requests.get(clock, timeout=30).json()
    assert shown["offsetSeconds"] == 0
    assert shown["offset"] == "real time"
    assert _advance(clock, 90)["offset"] == "+1m 30s"
    state = _advance(clock, "1h30m")
    assert state["offsetSeconds"] == 90 + 5400
    assert state["now"] > state["realNow"]
    assert requests.post(clock, json={"reset": True}, timeout=30).json()["offsetSeconds"] == 0


@pytest.mark.parametrize(
    "body",
    [{"advance": "-5m"}, {"advance": "soon"}, {"advance": 0}, {"advance": [1]}, {"reset": False}, {}, []],
)
def test_bad_requests_get_a_400_and_move_nothing(stack, clock, body):
    answer = requests.post(clock, json=body, timeout=30)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "validation_error"
    assert requests.get(clock, timeout=30).json()["offsetSeconds"] == 0


def test_the_cli_takes_the_stage_url_as_the_other_commands_do(stack, clock):
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "emulator", "clock", *args, "--url", f"{stack.root_url}/prod"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )

    advanced = cli("advance", "15m")
    assert advanced.returncode == 0, advanced.stderr
    assert "+0d" not in advanced.stdout
    assert "(+15m 0s ahead of real time" in advanced.stdout
    assert "+15m 0s" in cli("show").stdout
    refused = cli("advance", "yesterday")
    assert refused.returncode == 2
    assert "not a duration" in refused.stderr
    assert "(real time)" in cli("reset").stdout


def test_the_banner_and_serve_help_point_to_the_clock(stack):
    assert (
        f"Clock: real time (to test expiry: python -m emulator clock advance 15m --url {stack.root_url})"
        in (stack.banner)
    )
    help_text = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    ).stdout
    assert "emulator clock advance 15m" in " ".join(help_text.split())


def test_a_restarted_aws_endpoint_keeps_following_the_clock(stack, clock, api):
    _advance(clock, "2h")
    endpoint_pid = requests.get(f"{stack.root_url}/_emulator/health", timeout=30).json()["aws"]["pid"]
    os.kill(endpoint_pid, signal.SIGKILL)
    api.new_account("clock")  # answered once serve has restarted the endpoint (requests wait for it)
    assert requests.get(f"{stack.root_url}/_emulator/health", timeout=30).json()["aws"]["pid"] != endpoint_pid
    assert requests.get(f"{stack.aws_endpoint}/_emulator/clock", timeout=30).json()["offsetSeconds"] == 7200
