"""``serve``'s option handling: parameter overrides, ``{{emulator.url}}`` substitution, warm-up."""

from __future__ import annotations

import json
from pathlib import Path

import psutil
import pytest

from emulator.commands.app_options import parse_parameter_overrides, substituted_env_vars_file
from emulator.errors import UserError
from emulator.launcher import run_serve, serve_argv
from emulator.template import load_app
from tests.emulator import fixtures
from tests.emulator.gateway.conftest import FRONTS

ROOT = Path(__file__).resolve().parents[3]

BASE = "http://127.0.0.1:4321"


def test_parameter_overrides_both_forms_and_url_placeholder() -> None:
    overrides = parse_parameter_overrides(
        [
            "Stage=dev",
            "ParameterKey=JwksUrl,ParameterValue={{emulator.url}}/_emulator/idp/jwks.json",
            "Empty=",
        ],
        BASE,
    )
    assert overrides == {"Stage": "dev", "JwksUrl": f"{BASE}/_emulator/idp/jwks.json", "Empty": ""}


@pytest.mark.parametrize("item", ["novalue", "=x"])
def test_bad_parameter_override_is_a_user_error(item: str) -> None:
    with pytest.raises(UserError, match="parameter-overrides"):
        parse_parameter_overrides([item], BASE)


def test_env_vars_file_gets_the_url_substituted(tmp_path: Path) -> None:
    original = tmp_path / "env.json"
    original.write_text(json.dumps({"Parameters": {"ISSUER": "{{emulator.url}}/x", "N": 3}}))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    copy = substituted_env_vars_file(original, BASE, scratch)
    assert copy != original
    assert json.loads(copy.read_text()) == {"Parameters": {"ISSUER": f"{BASE}/x", "N": 3}}


def test_env_vars_file_without_placeholder_is_used_as_is(tmp_path: Path) -> None:
    original = tmp_path / "env.json"
    original.write_text('{"Parameters": {"A": "b"}}')
    assert substituted_env_vars_file(original, BASE, tmp_path) == original


@pytest.mark.parametrize("front", FRONTS)
def test_eager_warm_containers_start_one_worker_per_function_before_any_request(
    tmp_path: Path, front: str
) -> None:
    template = fixtures.template("gateway_app")
    argv = serve_argv(
        "--port",
        "0",
        "--template",
        str(template),
        "--no-reload",
        "--warm-containers",
        "eager",
        "--server",
        front,
    )
    with run_serve(argv, log_path=tmp_path / "serve.log", cwd=ROOT) as serve:
        functions = load_app(template).functions
        assert f"Warming {len(functions)} functions (--warm-containers eager)" in serve.banner
        workers = [child for child in psutil.Process(serve.pid).children(recursive=True) if _is_worker(child)]
        assert len(workers) == len(functions)  # started, none by a request: nothing was sent yet
        assert "START RequestId" not in (tmp_path / "serve.log").read_text()


def _is_worker(process: psutil.Process) -> bool:
    try:
        return any(part.endswith("bootstrap.py") for part in process.cmdline())
    except psutil.Error:  # gone meanwhile (not a worker: workers live as long as serve)
        return False
