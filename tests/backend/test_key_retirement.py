"""The emergency procedure for a leaked signing key, run locally as the README shows it.

``python -m emulator invoke KeyRotationFunction`` with ``{"Action": "retireKey", "Kid": ...}``
against the running stack's AWS endpoint (what ``python -m deploy revoke-key`` does on AWS): the
key leaves the private and the public secret, so the JWKS stops listing it and a token it signed
is refused, while signing goes on with another key. The stack runs with
``SIGNING_KEYS_CACHE_SECONDS=0`` so that the verifiers see the change on their next request
(deployed, they see it within their 5-minute cache).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from loadtests.stack import REPO_ROOT, LocalStack, StackOptions, local_stack
from tests.backend.real_stack import http_call

OPTIONS = StackOptions(bcrypt_rounds=4, extra_env={"SIGNING_KEYS_CACHE_SECONDS": "0"})
PASSWORD = "Retirement-horse-battery-42"  # a throwaway account on a throwaway stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with local_stack(tmp_path_factory.mktemp("retirement"), OPTIONS) as running:
        yield running


def _login(stack: LocalStack, email: str) -> str:
    status, body = http_call(stack, "POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200, body
    return str(body["accessToken"])


def _retire(stack: LocalStack, kid: str, tmp_path: Path) -> dict[str, Any]:
    env_file = tmp_path / "env.json"
    env_file.write_text(json.dumps(OPTIONS.env_vars()))
    command = [sys.executable, "-m", "emulator", "invoke", "KeyRotationFunction", "--event", "-"]
    command += ["--aws-endpoint", str(stack.aws_endpoint_url)]
    command += ["--env-vars", "env.local.json", "--env-vars", str(env_file)]
    proc = subprocess.run(
        command,
        input=json.dumps({"Action": "retireKey", "Kid": kid}),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_a_retired_key_is_refused_at_once_and_signing_goes_on(stack: LocalStack, tmp_path: Path):
    email = f"retire-{uuid.uuid4().hex}@example.com"
    assert http_call(stack, "POST", "/auth/register", {"email": email, "password": PASSWORD})[0] == 201
    before = _login(stack, email)
    kid = jwt.get_unverified_header(before)["kid"]
    _, jwks = http_call(stack, "GET", "/.well-known/jwks.json")
    assert kid in [key["kid"] for key in jwks["keys"]]

    result = _retire(stack, kid, tmp_path)

    assert result["retired"] == kid
    assert kid not in result["keys"]
    assert result["keys"]
    _, jwks = http_call(stack, "GET", "/.well-known/jwks.json")
    assert [key["kid"] for key in jwks["keys"]] == result["keys"]
    assert http_call(stack, "GET", "/auth/validate", token=before)[0] == 401
    after = _login(stack, email)
    assert jwt.get_unverified_header(after)["kid"] in result["keys"]
    assert http_call(stack, "GET", "/auth/validate", token=after)[0] == 200
