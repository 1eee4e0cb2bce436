"""The ``localstack`` target's set-up: its pins, its Python, its settings, its row in the table.

The target itself (the real LocalStack as a process, the whole integration suite against it) is
run by ``make test-targets``, which CI runs after ``make test`` (.ci/run); it needs Python 3.12+,
which ``make test`` does not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts import compose_inspect, test_targets
from scripts.compose_file import COMPOSE_FILE, load_compose
from scripts.localstack_process import HOST_SETTINGS, process_environment, service_environment
from scripts.localstack_target import placement_problems, problem_lines, template_resources
from scripts.localstack_venv import (
    CONSTRAINTS,
    HOW_TO_GET_ONE,
    NoSuitablePython,
    find_python,
    is_current,
    localstack_version,
)


# -- the version and its pins ----------------------------------------------------------------------
def test_the_venv_pins_the_localstack_version_of_the_compose_image() -> None:
    image = load_compose(COMPOSE_FILE)["services"]["localstack"]["image"]
    assert image == f"localstack/localstack:{localstack_version()}"


def test_every_requirement_of_the_venv_is_pinned() -> None:
    lines = [line for line in CONSTRAINTS.read_text().splitlines() if line and not line.startswith("#")]
    assert lines
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!-]+", line) for line in lines), lines
    names = [line.split("==")[0].lower() for line in lines]
    assert len(names) == len(set(names))
    # The two that broke LocalStack 4.14.0's start-up when left to float (cbor2 6, pyOpenSSL 26).
    assert {"cbor2", "pyopenssl"} <= set(names)


def test_a_changed_constraints_file_makes_the_venv_stale(tmp_path: Path) -> None:
    venv, constraints = tmp_path / "venv", tmp_path / "constraints.txt"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    constraints.write_text("localstack-core==4.14.0\n")
    assert not is_current(venv, constraints)  # never built
    from scripts.localstack_venv import STAMP_NAME, constraints_digest

    (venv / STAMP_NAME).write_text(constraints_digest(constraints) + "\n")
    assert is_current(venv, constraints)
    constraints.write_text("localstack-core==4.14.0\ncbor2==5.8.0\n")
    assert not is_current(venv, constraints)


# -- finding a Python 3.12/3.13 --------------------------------------------------------------------
def _interpreter(path: Path, prints: str | None) -> Path:
    """An executable answering the finder's probe as an interpreter of that version would (None: as
    a pyenv shim of an unselected version does, exit 127)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = f"echo {prints}" if prints is not None else "echo 'pyenv: not selected' >&2; exit 127"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"PATH": str(tmp_path / "bin"), "HOME": str(tmp_path / "home"), **extra}


def test_python_on_path_first_then_pyenv_versions_its_shims_hide(tmp_path: Path) -> None:
    shim = _interpreter(tmp_path / "bin" / "python3.13", None)
    pyenv = tmp_path / "pyenv"
    older = _interpreter(pyenv / "versions" / "3.12.1" / "bin" / "python3.12", "3.12")
    newer = _interpreter(pyenv / "versions" / "3.13.0" / "bin" / "python3.13", "3.13")
    _interpreter(pyenv / "versions" / "3.13.0t" / "bin" / "python3.13", "3.13")  # free-threaded: not it
    env = _env(tmp_path, PYENV_ROOT=str(pyenv))
    assert find_python(env) == str(newer)  # the shim on PATH answers 127: passed over
    shim.unlink()
    _interpreter(tmp_path / "bin" / "python3.12", "3.12")
    assert find_python(env) == str(tmp_path / "bin" / "python3.12")  # PATH before pyenv
    assert older.exists()


def test_no_suitable_python_says_how_to_get_one(tmp_path: Path) -> None:
    _interpreter(tmp_path / "bin" / "python3.12", "3.11")  # a wrong version under the right name
    with pytest.raises(NoSuitablePython) as raised:
        find_python(_env(tmp_path, PYENV_ROOT=str(tmp_path / "none")))
    assert "needs Python 3.12 or 3.13" in str(raised.value)
    assert HOW_TO_GET_ONE in str(raised.value)


def test_a_chosen_python_is_used_or_refused_never_passed_over(tmp_path: Path) -> None:
    chosen = _interpreter(tmp_path / "elsewhere" / "python", "3.12")
    assert find_python(_env(tmp_path, LOCALSTACK_PYTHON=str(chosen))) == str(chosen)
    wrong = _interpreter(tmp_path / "elsewhere" / "python3", "3.14")
    _interpreter(tmp_path / "bin" / "python3.13", "3.13")
    with pytest.raises(NoSuitablePython, match="LOCALSTACK_PYTHON"):
        find_python(_env(tmp_path, LOCALSTACK_PYTHON=str(wrong)))


# -- LocalStack's settings ---------------------------------------------------------------------------
def test_localstack_runs_with_the_compose_services_on_loopback_in_its_own_scratch(tmp_path: Path) -> None:
    developer = {
        "PATH": "/usr/bin",
        "HOME": "/home/dev",
        "AWS_ENDPOINT_URL": "http://elsewhere:1",
        "DEBUG": "1",
    }
    env = process_environment(45123, tmp_path, service_environment(), base=developer)
    assert env["SERVICES"] == load_compose()["services"]["localstack"]["environment"]["SERVICES"]
    assert env["GATEWAY_LISTEN"] == env["LOCALSTACK_HOST"] == "127.0.0.1:45123"
    assert {key: env[key] for key in HOST_SETTINGS} == HOST_SETTINGS
    assert env["GATEWAY_SERVER"] == "hypercorn"  # the default server would listen on all interfaces
    for name in ("FILESYSTEM_ROOT", "TMP", "HOME"):
        assert Path(env[name]).is_relative_to(tmp_path)
        assert Path(env[name]).is_dir()
    assert "AWS_ENDPOINT_URL" not in env
    assert "DEBUG" not in env
    assert "TMPDIR" not in env  # LocalStack reads TMPDIR as a (deprecated) setting of its own


# -- the row in the table ----------------------------------------------------------------------------
def test_what_the_stack_holds_is_checked_after_the_suite() -> None:
    tables, secrets = template_resources()
    assert tables
    assert secrets
    right = compose_inspect.StackContents(
        tables=dict.fromkeys(tables, 1), secrets=sorted(secrets), emails=[{"to": ["a@example.com"]}]
    )
    assert placement_problems(right, tables, secrets) == []
    one_secret = sorted(secrets)[0]
    wrong = compose_inspect.StackContents(tables={}, secrets=sorted(secrets - {one_secret}), emails=[])
    problems = placement_problems(wrong, tables, secrets)
    assert f"secret {one_secret} is not in LocalStack" in problems
    assert any(problem.startswith("table ") for problem in problems)
    assert any("/_aws/ses" in problem for problem in problems)


def test_the_table_gives_start_up_suite_time_and_failures_by_test() -> None:
    output = (
        "..F\n=== short test summary info ===\n"
        "FAILED tests/integration/test_login.py::test_lockout - assert 429 == 200\n"
        "ERROR tests/integration/test_seed.py::test_seed\n"
        "== 1 failed, 2 passed, 1 error in 3.00s ==\n"
    )
    failures = test_targets.failed_tests(output)
    assert failures == (
        "FAILED tests/integration/test_login.py::test_lockout",
        "ERROR tests/integration/test_seed.py::test_seed",
    )
    results = [
        test_targets.TargetResult("embedded", "PASS", "3 passed", 61.0),
        test_targets.TargetResult("localstack", "FAIL", "1 failed", 70.4, startup_s=5.72, failures=failures),
    ]
    lines = test_targets.format_table(results).splitlines()
    assert lines[0].split() == ["target", "result", "start-up", "suite", "summary"]
    assert lines[2].split()[:4] == ["embedded", "PASS", "-", "61"]
    assert lines[3].split()[:5] == ["localstack", "FAIL", "5.7", "s", "70"]
    assert lines[4:] == [f"localstack: {failure}" for failure in failures]


def test_a_failed_run_keeps_what_the_logs_said_went_wrong(tmp_path: Path) -> None:
    log = tmp_path / "serve-stderr.log"
    log.write_text(
        '{"level":"INFO","message":"request refused","code":"validation_error"}\n'
        "Task timed out after 10.00 seconds\n"
        '{"level":"ERROR","message":"unhandled error"}\n'
        "2026-12-03T11:27:40.013  WARN --- [  MainThread] l.x : slow\n"
        "Ready.\n"
    )
    assert problem_lines(log) == [
        "serve-stderr.log: Task timed out after 10.00 seconds",
        'serve-stderr.log: {"level":"ERROR","message":"unhandled error"}',
        "serve-stderr.log: 2026-12-03T11:27:40.013  WARN --- [  MainThread] l.x : slow",
    ]
    assert problem_lines(log, limit=1) == [
        "serve-stderr.log: 2026-12-03T11:27:40.013  WARN --- [  MainThread] l.x : slow"
    ]
    assert problem_lines(tmp_path / "missing.log")[0].startswith(str(tmp_path / "missing.log"))
