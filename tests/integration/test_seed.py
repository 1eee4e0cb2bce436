"""scripts/seed_demo_users.py against the target: creates, then is idempotent (409 is fine)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.integration.api import Api, strong_password, unique_email

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "seed_demo_users.py"


@pytest.fixture(scope="module")
def seed_module():
    spec = importlib.util.spec_from_file_location("seed_demo_users", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_seed_creates_users_then_is_idempotent(seed_module, target, make_api):
    # Unique users (not the demo ones) so that the suite leaves no well-known accounts behind.
    users = [seed_module.DemoUser(unique_email("seed"), strong_password(), f"Seed {i}") for i in range(2)]
    api: Api = make_api()
    api.ledger.add(*(user.password for user in users))
    first = seed_module.seed(target.base_url, users)
    assert [outcome for _, outcome in first] == ["created", "created"]
    again = seed_module.seed(target.base_url, users)
    assert [outcome for _, outcome in again] == ["exists", "exists"]
    for user in users:
        assert api.login_response(user.email, user.password).status_code == 200


def test_seed_against_nothing_is_a_one_line_error(seed_module, capsys):
    assert seed_module.main(["--base-url", "http://127.0.0.1:9/prod"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("code", ["account_locked", "rate_limited"])
def test_seed_points_a_locked_demo_user_to_make_unlock(seed_module, code):
    body = {"error": {"code": code, "message": "Too many"}}
    outcome = seed_module.login_outcome("demo@example.com", 429, body)
    assert outcome == f"exists, but login answers {code}: make unlock EMAIL=demo@example.com clears it"


def test_seed_names_other_refusals_without_a_remedy(seed_module):
    body = {"error": {"code": "invalid_credentials", "message": "Wrong"}}
    assert seed_module.login_outcome("demo@example.com", 401, body) == (
        "exists, but login answers invalid_credentials"
    )
