"""serve watches its embedded AWS endpoint: a killed one is restarted on the same data dir and
port, nothing acknowledged is lost, the gap answers no handler's 500, and a crash loop stops serve.

The app is the repository's own (``make up``'s template and env.local.json), over HTTP, on both
fronts (the asyncio server and ``--server flask``): the watchdog is the core's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from emulator.launcher import RunningServe, run_serve, serve_argv
from tests.emulator.gateway.conftest import FRONTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=FRONTS)
def front(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def make_up(tmp_path: Path, front: str) -> Iterator[tuple[RunningServe, Path]]:
    """``make up`` on a data dir of its own (fast password hashing for the test)."""
    env_vars = tmp_path / "env.test.json"
    env_vars.write_text(json.dumps({"Parameters": {"BCRYPT_ROUNDS": "4"}}))
    data_dir = tmp_path / "data"
    argv = serve_argv(
        "--port", "0", "--data-dir", str(data_dir), "--no-reload",
        "--env-vars", "env.local.json", "--env-vars", str(env_vars), "--server", front,
    )  # fmt: skip
    with run_serve(argv, log_path=tmp_path / "serve.log", cwd=ROOT) as serve:
        yield serve, data_dir


def _register(base: str, email: str) -> requests.Response:
    return requests.post(
        f"{base}/auth/register", json={"email": email, "password": "Correct-Horse-9"}, timeout=30
    )


def _login(base: str, email: str) -> requests.Response:
    return requests.post(
        f"{base}/auth/login", json={"email": email, "password": "Correct-Horse-9"}, timeout=30
    )


def _health(serve: RunningServe) -> requests.Response:
    return requests.get(f"{serve.root_url}/_emulator/health", timeout=30)


def test_a_killed_endpoint_is_back_for_the_next_request_with_every_write(make_up):
    serve, _ = make_up
    base = serve.root_url + "/prod"
    emails = [f"user{i}-{uuid.uuid4().hex[:6]}@example.com" for i in range(7)]
    for email in emails[:6]:
        assert _register(base, email).status_code == 201
    health = _health(serve).json()
    assert health["aws"]["state"] == "up"
    endpoint_pid = health["aws"]["pid"]

    os.kill(endpoint_pid, signal.SIGKILL)
    # No waiting, no user action: the next request arrives while the endpoint is down.
    registered = _register(base, emails[6])

    assert registered.status_code == 201, registered.text
    for email in emails:  # every acknowledged write is still there
        assert _login(base, email).status_code == 200
    health = _health(serve)
    assert health.status_code == 200
    assert health.json()["aws"]["state"] == "up"
    assert health.json()["aws"]["restarts"] == 1
    assert health.json()["aws"]["lastExit"] == "killed by SIGKILL"
    assert health.json()["aws"]["pid"] != endpoint_pid
    log = serve.log_path.read_text()
    assert (
        f"[serve] the embedded AWS endpoint (pid {endpoint_pid}) exited: killed by SIGKILL; "
        "restarting it on the same data dir and port"
    ) in log
    assert "[serve] the embedded AWS endpoint is back (pid " in log


def test_an_endpoint_that_cannot_come_back_makes_serve_give_up_clearly(tmp_path, front: str):
    data_dir = tmp_path / "data"
    log_path = tmp_path / "serve.log"
    argv = serve_argv(
        "--port", "0", "--data-dir", str(data_dir), "--no-reload", "--env-vars", "env.local.json",
        "--server", front,
    )  # fmt: skip
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=log_file, text=True, start_new_session=True
        )
    try:
        assert process.stdout is not None
        url = next(line for line in process.stdout if line.startswith("Ready on ")).split()[-1]
        endpoint_pid = requests.get(f"{url}/_emulator/health", timeout=30).json()["aws"]["pid"]
        # A snapshot nobody can load: every restart of the endpoint now fails at once.
        (data_dir / "aws" / "snapshot-99999999.json").write_text("not a snapshot\n")
        os.kill(endpoint_pid, signal.SIGKILL)

        code = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert code == 1
    log = log_path.read_text()
    assert "[serve] the embedded AWS endpoint failed to start: " in log
    assert "snapshot-99999999.json is damaged" in log
    assert "[serve] the embedded AWS endpoint stopped 4 times in a row" in log
    assert "(last: failed to start); giving up. The lines above say why; fix that and start serve" in log
