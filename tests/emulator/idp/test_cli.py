"""``python -m emulator idp-token`` against a real HTTP server serving the Google and Apple blueprints."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from flask import Flask
from werkzeug.serving import make_server

from emulator.idp import apple, blueprint

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def idp_server() -> Iterator[str]:
    app = Flask(__name__)
    app.register_blueprint(blueprint())
    app.register_blueprint(apple.blueprint(apple.provider_for(None)))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", "idp-token", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
    )


def test_cli_prints_a_token_signed_by_the_servers_key(idp_server):
    proc = _cli("cli@example.com", "--url", idp_server, "--name", "Cli User")
    assert proc.returncode == 0, proc.stderr
    token = proc.stdout.strip()
    jwks_client = jwt.PyJWKClient(f"{idp_server}/_emulator/idp/jwks.json")
    claims = jwt.decode(
        token,
        jwks_client.get_signing_key_from_jwt(token).key,
        algorithms=["RS256"],
        audience="demo-ios-auth",
        issuer="https://securetoken.google.com/demo-ios-auth",
    )
    assert claims["email"] == "cli@example.com"
    assert claims["name"] == "Cli User"


def test_cli_overrides_reach_the_token(idp_server):
    proc = _cli(
        "neg@example.com", "--url", idp_server, "--audience", "x", "--expires-in", "-60", "--unverified"
    )
    assert proc.returncode == 0, proc.stderr
    claims = jwt.decode(proc.stdout.strip(), options={"verify_signature": False})
    assert claims["aud"] == "x"
    assert claims["email_verified"] is False
    assert claims["exp"] < time.time()


def test_cli_without_a_running_emulator_is_one_line_not_a_traceback():
    # Port 9 (discard) on loopback: nothing listens there on a test machine.
    proc = _cli("a@example.com", "--url", "http://127.0.0.1:9")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert "cannot reach the emulator" in proc.stderr


def test_cli_reports_the_servers_validation_message(idp_server):
    proc = _cli("not-an-email", "--url", idp_server)
    assert proc.returncode == 2
    assert "HTTP 400" in proc.stderr
    assert "email" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_idp_token_cli_signs_in_with_apple(idp_server):
    proc = _cli(
        "--provider", "apple", "cli@example.com", "--nonce", "raw-n", "--private-relay", "--url", idp_server
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1  # one line
    authorization = json.loads(proc.stdout)
    claims = jwt.decode(authorization["identityToken"], options={"verify_signature": False})
    assert claims["email"].endswith("@privaterelay.appleid.com")
    assert claims["nonce"] == hashlib.sha256(b"raw-n").hexdigest()
    assert authorization["authorizationCode"]

    audience = _cli(
        "--provider", "apple", "cli@example.com", "--nonce", "n", "--audience", "com.x.y", "--url", idp_server
    )
    assert jwt.decode(json.loads(audience.stdout)["identityToken"], options={"verify_signature": False})[
        "aud"
    ] == ("com.x.y")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--provider", "apple", "a@example.com"], "needs --nonce"),
        (["a@example.com", "--nonce", "n"], "--nonce applies to --provider apple only"),
        (["--provider", "apple", "a@example.com", "--nonce", "n", "--issuer", "x"], "--issuer applies to"),
    ],
)
def test_idp_token_cli_refuses_options_of_the_other_provider(args, message):
    proc = _cli(*args, "--url", "http://127.0.0.1:9")
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
