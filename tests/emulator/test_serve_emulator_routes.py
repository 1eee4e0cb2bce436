"""Serve's ``/_emulator`` services over real HTTP: sent emails, the Apple provider and its key, the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest
import requests

from emulator.idp.apple import mint_client_secret
from emulator.idp.apple.keys import DeveloperKey
from emulator.idp.apple.publish import SECRET_NAME
from emulator.launcher import run_serve, serve_argv
from tests.emulator.aws.helpers import client
from tests.emulator.aws.localstack_stub import LOCALSTACK_MESSAGES, LocalStackStub
from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = template("local_services")
APPLE = "/_emulator/idp/apple"


@dataclass(frozen=True)
class Serve:
    url: str
    aws_endpoint: str
    data_dir: Path
    log_path: Path


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    tmp = tmp_path_factory.mktemp("serve")
    data_dir = tmp / "data"
    argv = serve_argv("--port", "0", "--template", str(TEMPLATE), "--data-dir", str(data_dir), "--no-reload")
    with run_serve(argv, log_path=tmp / "serve.log", cwd=ROOT) as running:
        yield Serve(running.root_url, running.aws_endpoint, data_dir, running.log_path)


# -- emails ----------------------------------------------------------------------------------------
def test_emails_sent_through_ses_are_listed_on_the_serve_port(serve):
    to = f"{uuid.uuid4().hex[:8]}@example.com"
    # The template's AWS::SES::EmailIdentity was verified at start: SES sends from it.
    client("sesv2", serve.aws_endpoint).send_email(
        FromEmailAddress="App <noreply@app.example>",
        Destination={"ToAddresses": [to], "BccAddresses": ["audit@app.example"]},
        Content={
            "Simple": {
                "Subject": {"Data": "Your code"},
                "Body": {"Text": {"Data": "123456"}, "Html": {"Data": "<b>123456</b>"}},
            }
        },
    )
    listed = requests.get(f"{serve.url}/_emulator/emails", params={"to": to.upper()}, timeout=10)
    assert listed.status_code == 200
    [email] = listed.json()
    assert set(email) == {"id", "timestamp", "from", "to", "cc", "bcc", "subject", "text", "html"}
    assert (email["from"], email["to"], email["bcc"]) == (
        "App <noreply@app.example>",
        [to],
        ["audit@app.example"],
    )
    assert (email["subject"], email["text"], email["html"]) == ("Your code", "123456", "<b>123456</b>")
    assert email["timestamp"].endswith("Z")
    everything = requests.get(f"{serve.url}/_emulator/emails", timeout=10).json()
    assert email in everything
    assert (
        requests.get(f"{serve.url}/_emulator/emails", params={"recipient": to}, timeout=10).status_code == 400
    )


def test_under_compose_emails_are_read_from_localstack_and_a_dead_endpoint_is_a_503(tmp_path):
    gateway_app = template("gateway_app")  # nothing to provision
    localstack = LocalStackStub({"/_aws/ses": {"messages": LOCALSTACK_MESSAGES}}).__enter__()
    env = {**os.environ, "AWS_ENDPOINT_URL": localstack.url}  # as docker-compose.yml sets it
    argv = serve_argv("--port", "0", "--template", str(gateway_app), "--no-reload")
    try:
        with run_serve(argv, log_path=tmp_path / "serve.log", cwd=ROOT, env=env) as running:
            listed = requests.get(
                f"{running.root_url}/_emulator/emails", params={"to": "ops@example.com"}, timeout=30
            )
            assert listed.status_code == 200
            assert [(e["id"], e["subject"]) for e in listed.json()] == [
                (LOCALSTACK_MESSAGES[0]["Id"], "Reset your password")
            ]
            assert "/_emulator/emails" not in localstack.requests  # asked LocalStack's way first

            localstack.__exit__()
            down = requests.get(f"{running.root_url}/_emulator/emails", timeout=30)
            assert down.status_code == 503
            assert down.json()["error"]["code"] == "aws_endpoint_unavailable"
            assert localstack.url in down.json()["error"]["message"]
            # The stand-in is no Secrets Manager: serve says so and serves on.
            log = running.log_path.read_text()
            assert f"warning: could not publish the Apple developer key as secret {SECRET_NAME}" in log
            assert f"warning: {localstack.url} did not say which account it acts in" in log  # nor an STS
    finally:
        localstack.__exit__()


# -- Sign in with Apple ----------------------------------------------------------------------------
def _published_key(serve: Serve) -> DeveloperKey:
    secret = client("secretsmanager", serve.aws_endpoint).get_secret_value(SecretId=SECRET_NAME)
    return DeveloperKey.from_document(json.loads(secret["SecretString"]))


def test_the_developer_key_is_published_into_the_embedded_secrets_manager(serve):
    published = _published_key(serve)
    on_disk = json.loads((serve.data_dir / "idp" / "apple-developer-key.json").read_text())
    assert published.document() == on_disk
    assert published.private_pem().startswith("-----BEGIN PRIVATE KEY-----")


def test_sign_in_then_delete_revokes_the_apple_tokens_over_http(serve):
    key = _published_key(serve)  # what the backend reads
    authorization = requests.post(
        f"{serve.url}{APPLE}/authorize", json={"email": "http@example.com", "nonce": "raw"}, timeout=10
    ).json()
    jwks = jwt.PyJWKClient(f"{serve.url}{APPLE}/auth/keys")
    identity = jwt.decode(
        authorization["identityToken"],
        jwks.get_signing_key_from_jwt(authorization["identityToken"]).key,
        algorithms=["RS256"],
        audience="demo-ios-auth",
        issuer="https://appleid.apple.com",
    )
    assert identity["nonce"] == hashlib.sha256(b"raw").hexdigest()

    client_secret = mint_client_secret(key, "demo-ios-auth", now=int(time.time()))
    tokens = requests.post(
        f"{serve.url}{APPLE}/auth/token",
        data={
            "client_id": "demo-ios-auth",
            "client_secret": client_secret,
            "code": authorization["authorizationCode"],
            "grant_type": "authorization_code",
        },
        timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    revoked = requests.post(
        f"{serve.url}{APPLE}/auth/revoke",
        data={
            "client_id": "demo-ios-auth",
            "client_secret": client_secret,
            "token": tokens.json()["refresh_token"],
            "token_type_hint": "refresh_token",
        },
        timeout=10,
    )
    assert (revoked.status_code, revoked.content) == (200, b"")
    records = requests.get(
        f"{serve.url}{APPLE}/revocations", params={"sub": identity["sub"]}, timeout=10
    ).json()
    assert [(r["email"], r["clientId"], r["tokenType"]) for r in records] == [
        ("http@example.com", "demo-ios-auth", "refresh_token")
    ]
    bad = requests.post(
        f"{serve.url}{APPLE}/auth/revoke",
        data={"client_id": "demo-ios-auth", "client_secret": "forged", "token": "t"},
        timeout=10,
    )
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_client")
    assert tokens.json()["refresh_token"] not in serve.log_path.read_text()
