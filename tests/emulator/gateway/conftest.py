"""The shim under test: ``python -m emulator serve --port 0`` on the test app, one per module."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = Path(__file__).parent / "app" / "template.yaml"


@dataclass
class Shim:
    url: str
    process: subprocess.Popen[str]
    log: Path
    banner: list[str]

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]

    def request(self, method: str, path: str, **kwargs: object) -> requests.Response:
        return requests.request(method, self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shim]:
    log = tmp_path_factory.mktemp("gateway") / "stderr.log"
    env = {**os.environ, "EMULATOR_INTEGRATION_TIMEOUT_S": "4"}
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "emulator",
                "serve",
                "--port",
                "0",
                "--template",
                str(TEMPLATE),
                "--no-reload",
            ],
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
            cwd=ROOT,
            env=env,
        )
    assert process.stdout is not None
    banner: list[str] = []
    for line in process.stdout:
        banner.append(line.rstrip("\n"))
        if line.startswith("Ready on "):
            break
    else:
        process.wait(timeout=10)
        pytest.fail(f"serve exited before Ready:\n{log.read_text()}")
    url = banner[-1].removeprefix("Ready on ")
    yield Shim(url, process, log, banner)
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=20)
