"""An AWS endpoint that keeps accounts apart, as LocalStack does: serve resolves the template in its account.

LocalStack puts each request in the account its access key names (the compose file's ``test``:
000000000000) and finds no secret by an ARN naming another account; moto's default account, the
template loader's, is 123456789012. Here the stand-in for ``localstack`` is an embedded endpoint
made to act in 000000000000 (moto's ``MOTO_ACCOUNT_ID``, inherited by its process): the signing-key
rotation at start writes the public keys to their secret by the template's ARN, so serve starts
only if that ARN names the endpoint's account.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from emulator.aws import EmbeddedAws
from emulator.aws.account import external_endpoint_account_id
from emulator.log import AWS
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


def test_an_endpoint_that_cannot_say_its_account_is_named_in_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    assert external_endpoint_account_id() is None  # the embedded endpoint: the loader's default
    with socket.socket() as probe:  # a port nothing listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        caplog.set_level(logging.WARNING, logger=AWS)
        assert external_endpoint_account_id() is None
    assert any(url in line and "GetCallerIdentity" in line for line in caplog.messages), caplog.messages
