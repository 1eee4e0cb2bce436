"""A running serve is found by the commands that need it, and its AWS endpoint has a stable port.

serve --data-dir DIR advertises itself in DIR/serve.json (emulator/running_stack.py); idp-token
and invoke look in .localdata (make up's data dir) by default. The AWS endpoint listens on the
port asked for (--aws-port; tests pass a free one), and on a free one when the default is taken.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest

from emulator.aws.process import EmbeddedAws
from emulator.aws.stable_port import DEFAULT_AWS_PORT, launch_on_stable_port, requested_port
from emulator.errors import UserError
from emulator.launcher import run_serve, serve_argv
from emulator.running_stack import find_running_stack, root_url
from tests.emulator.aws.helpers import client, create_table
from tests.emulator.fixtures import template

TEMPLATE = template("invoke_app")
REPO_ROOT = Path(__file__).resolve().parents[2]
# The commands run from a project directory of their own (its .localdata), the emulator from here.
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Stack:
    cwd: Path  # holds .localdata, as a project running `make up`
    url: str
    aws_port: int
    banner: str


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    cwd = tmp_path_factory.mktemp("project")
    aws_port = _free_port()
    argv = serve_argv(
        "--port", "0", "--aws-port", str(aws_port), "--template", str(TEMPLATE),
        "--data-dir", ".localdata", "--no-reload",
    )  # fmt: skip
    with run_serve(argv, log_path=cwd / "serve.log", cwd=cwd, env=ENV) as running:
        yield Stack(cwd, running.root_url, aws_port, running.banner)
    assert not (cwd / ".localdata" / "serve.json").exists(), "serve.json outlived serve"


def _emulator(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        timeout=120,
    )


def test_the_aws_endpoint_listens_on_the_port_asked_for_and_the_banner_shows_the_cli(stack: Stack) -> None:
    endpoint = f"http://127.0.0.1:{stack.aws_port}"
    assert re.search(rf"^AWS endpoint: {re.escape(endpoint)}$", stack.banner, re.MULTILINE), stack.banner
    assert f"aws --endpoint-url {endpoint} --region us-east-1 dynamodb list-tables" in stack.banner
    assert "NotesTable" in " ".join(client("dynamodb", endpoint).list_tables()["TableNames"])


def test_serve_advertises_itself_in_its_data_dir(stack: Stack) -> None:
    running = find_running_stack(stack.cwd / ".localdata")
    assert running is not None
    assert (running.url, running.aws_endpoint) == (stack.url, f"http://127.0.0.1:{stack.aws_port}")
    assert find_running_stack(stack.cwd / "elsewhere") is None


def test_idp_token_finds_the_running_stack_and_takes_a_stage_url(stack: Stack) -> None:
    found = _emulator("idp-token", "found@example.com", cwd=stack.cwd)
    assert found.returncode == 0, found.stderr
    staged = _emulator("idp-token", "staged@example.com", "--url", f"{stack.url}/prod/", cwd=stack.cwd)
    assert staged.returncode == 0, staged.stderr
    jwks = jwt.PyJWKClient(f"{stack.url}/_emulator/idp/jwks.json")
    for proc, email in ((found, "found@example.com"), (staged, "staged@example.com")):
        token = proc.stdout.strip()
        claims = jwt.decode(
            token,
            jwks.get_signing_key_from_jwt(token).key,
            algorithms=["RS256"],
            options={"verify_aud": False, "verify_iss": False},
        )
        assert claims["email"] == email


def test_invoke_uses_the_running_stacks_aws_endpoint_and_says_so(stack: Stack, tmp_path: Path) -> None:
    # A table only the running endpoint has: a fresh in-memory endpoint would not know it.
    only_there = create_table(client("dynamodb", f"http://127.0.0.1:{stack.aws_port}"))
    env_vars = tmp_path / "env.json"
    env_vars.write_text(json.dumps({"TableFunction": {"NOTES_TABLE": only_there}}))
    proc = _emulator(
        "invoke", "TableFunction", "--template", str(TEMPLATE), "--env-vars", str(env_vars), cwd=stack.cwd
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"name": only_there, "status": "ACTIVE"}
    assert "invoke: using the AWS endpoint of the stack running on .localdata/" in proc.stderr


def test_invoke_without_a_running_stack_says_that_aws_endpoint_exists(tmp_path: Path) -> None:
    proc = _emulator("invoke", "TableFunction", "--template", str(TEMPLATE), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "no stack runs on .localdata/" in proc.stderr
    assert "--aws-endpoint URL" in proc.stderr


def test_idp_token_without_a_stack_names_the_ways_to_find_one(tmp_path: Path) -> None:
    proc = _emulator("idp-token", "a@example.com", "--url", "http://127.0.0.1:9/prod", cwd=tmp_path)
    assert proc.returncode == 2
    assert "http://127.0.0.1:9/_emulator/idp/token" in proc.stderr
    assert "--url" in proc.stderr
    assert "make up" in proc.stderr


def test_a_url_of_the_stack_in_any_form_gives_its_root() -> None:
    for url in ("http://127.0.0.1:3000", "http://127.0.0.1:3000/", "http://127.0.0.1:3000/prod/auth/login"):
        assert root_url(url) == "http://127.0.0.1:3000"
    with pytest.raises(ValueError, match="http"):
        root_url("127.0.0.1:3000")


def test_the_default_port_is_stable_and_port_0_means_any() -> None:
    assert requested_port(None, 3000) == DEFAULT_AWS_PORT
    assert requested_port(None, 0) == 0  # serve --port 0: nothing fixed
    assert requested_port(4567, 0) == 4567


def test_a_taken_default_port_falls_back_to_a_free_one_with_a_line(caplog, monkeypatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = int(taken.getsockname()[1])
        monkeypatch.setattr("emulator.aws.stable_port.DEFAULT_AWS_PORT", port)
        aws = EmbeddedAws()
        with caplog.at_level("WARNING", logger="emulator.aws"):
            launch_on_stable_port(aws, port=requested_port(None, 3000), fallback=True)
        try:
            assert aws.endpoint_url != f"http://127.0.0.1:{port}"
            (line,) = [r.getMessage() for r in caplog.records if "is taken" in r.getMessage()]
            assert line.startswith(f"warning: port {port} is taken")
            assert "--aws-port" in line
        finally:
            aws.stop()
        # asked for by name, a taken port is an error, as for --port
        with pytest.raises(UserError, match=str(port)):
            launch_on_stable_port(EmbeddedAws(), port=port, fallback=False)
