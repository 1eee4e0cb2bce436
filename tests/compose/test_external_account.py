"""An AWS endpoint that keeps accounts apart, as LocalStack does: serve resolves the template in its account.

LocalStack puts each request in the account its access key names (the compose file's ``test``:
000000000000) and finds no secret by an ARN naming another account; moto's default account, the
template loader's, is 123456789012. Here the stand-in for ``localstack`` is an embedded endpoint
made to act in 000000000000 (moto's ``MOTO_ACCOUNT_ID``, inherited by its process): the signing-key
rotation at start writes the public keys to their secret by the template's ARN, so serve starts
only if that ARN names the endpoint's account.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from emulator.aws import EmbeddedAws, provision
from emulator.aws.environment import DUMMY_ACCESS_KEY_ID
from emulator.template.model import ResourceSpec, SamApp
from scripts.compose_topology import compose_topology
from tests.emulator.aws.helpers import client

OTHER_ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def endpoint_in_other_account() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOTO_ACCOUNT_ID", OTHER_ACCOUNT)
        with EmbeddedAws(port=0, ttl_sweep_interval_s=0) as aws:
            yield aws.endpoint_url


def test_serve_resolves_the_template_in_the_endpoints_account(
    endpoint_in_other_account: str, tmp_path: Path
) -> None:
    with compose_topology(
        tmp_path / "serve.log", running={"localstack": endpoint_in_other_account}
    ) as topology:
        jwks = requests.get(f"{topology.base_url}/.well-known/jwks.json", timeout=10)
        assert jwks.status_code == 200
        assert jwks.json()["keys"], "the rotation at start published no public key"
    secrets = client("secretsmanager", endpoint_in_other_account).list_secrets()["SecretList"]
    assert secrets
    assert {secret["ARN"].split(":")[4] for secret in secrets} == {OTHER_ACCOUNT}


# -- the credentials provisioning signs with ------------------------------------------------------
class _Recorder(BaseHTTPRequestHandler):
    """Answers Secrets Manager's DescribeSecret (not found) and CreateSecret; records who signed."""

    signers: list[str]  # set per server below

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        authorization = self.headers.get("Authorization", "")
        self.signers.append(authorization.split("Credential=", 1)[-1].split("/", 1)[0])
        target = self.headers.get("X-Amz-Target", "")
        if target.endswith(".DescribeSecret"):
            status, body = 400, {"__type": "ResourceNotFoundException", "message": "not found"}
        else:
            status, body = 200, {"ARN": "arn:aws:secretsmanager:us-east-1:1:secret:s-AbCdEf", "Name": "s"}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    signers: list[str] = []
    handler = type("Recorder", (_Recorder,), {"signers": signers})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", signers
    finally:
        server.shutdown()
        server.server_close()


def _app_with_one_secret() -> SamApp:
    secret = ResourceSpec("S", "AWS::SecretsManager::Secret", "s", {"SecretString": "{}"})
    return SamApp(
        template_path=Path("template.yaml"),
        stack_name="local",
        region="us-east-1",
        account_id="123456789012",
        parameters={},
        functions={},
        apis={},
        routes=(),
        resources={"S": secret},
    )


@pytest.mark.parametrize(("external", "signer"), [(True, "111122223333"), (False, DUMMY_ACCESS_KEY_ID)])
def test_an_external_endpoint_is_provisioned_with_the_functions_credentials(
    recorder: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch, external: bool, signer: str
) -> None:
    # A 12-digit key is an account to LocalStack: provisioning must create the secrets in the
    # account the functions (given this process's credentials) will look in.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "111122223333")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    url, signers = recorder
    provision(_app_with_one_secret(), endpoint_url=url, dynamodb_endpoint_url=url, external=external)
    assert signers
    assert set(signers) == {signer}
