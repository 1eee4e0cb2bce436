"""Fixtures for the deploy tests: a real moto server (S3, STS, CloudFormation, Lambda...) over HTTP.

The embedded AWS endpoint (emulator/aws) serves only DynamoDB, Secrets Manager, SSM, SES and STS,
so the deploy orchestration is run against moto's own server, on a loopback port picked at run
time. ``localhost`` (not 127.0.0.1) in the URL: moto's CloudFormation resolves a TemplateURL on
its own S3 only for path-style URLs naming localhost.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from tests.deploy.mini import write_mini_zip


@pytest.fixture
def moto_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _host, port = server.get_host_and_port()
    url = f"http://localhost:{port}"
    # moto's backends are process-wide, shared by every server started in this process: start
    # each test from an empty account (moto's own reset endpoint).
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=30).close()
    # The variables boto3 reads by itself: every client of the code under test goes to moto.
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    # CI=true (as CI runs the suite) would skip make deploy's question: each test says what it wants.
    monkeypatch.delenv("CI", raising=False)
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def mini_zip(tmp_path: Path) -> Path:
    """The mini app's function zip (fixtures/mini/code)."""
    return write_mini_zip(tmp_path / "function.zip")


ARTIFACT_CHECK_ENV = "DEPLOY_ARTIFACT_CHECK"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The self-contained-artifact check builds the zip, makes a venv and runs the whole
    # integration suite against it (~1 min): run by `make check-artifact` (which sets
    # DEPLOY_ARTIFACT_CHECK=1), left out of the default run, and said so (deselected, not skipped).
    if os.environ.get(ARTIFACT_CHECK_ENV) == "1":
        return
    dropped = [item for item in items if item.get_closest_marker("artifact_check") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item.get_closest_marker("artifact_check") is None]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"artifact_check: runs only with {ARTIFACT_CHECK_ENV}=1")
