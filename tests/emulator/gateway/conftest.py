"""The shim under test: ``python -m emulator serve --port 0`` on the test app, one per module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from emulator.launcher import run_serve, serve_argv
from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = template("gateway_app")


@dataclass
class Shim:
    url: str
    pid: int
    log: Path
    banner: list[str]  # what serve printed before its Ready line

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]

    def request(self, method: str, path: str, **kwargs: object) -> requests.Response:
        return requests.request(method, self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shim]:
    log = tmp_path_factory.mktemp("gateway") / "stderr.log"
    # A short integration timeout, so that a test reaches the 504 in seconds.
    argv = serve_argv("--port", "0", "--template", str(TEMPLATE), "--no-reload", "--integration-timeout", "4")
    with run_serve(argv, log_path=log, cwd=ROOT) as serve:
        yield Shim(serve.root_url, serve.pid, log, serve.banner.splitlines())
