"""Every command of the README's ``sh`` blocks, as written, so that a README example that breaks
fails CI.

Each command is checked in the way that can run here (no Docker, no AWS account, bounded time):

- run: ``make up`` in every form the README shows (on the test's own port, AWS port and data dir:
  ``PORT=0 AWS_PORT=0 DATA_DIR=<tmp>`` are added, and a file it names, ``mine.json``, is a file of
  the test's), until its first ``/health`` 200; ``make reset`` on that data dir; ``make load`` and
  ``make load-ramp`` cut short (a few seconds, a tiny staircase, a fail-ratio-only budget);
- collected: the pytest commands, with ``--collect-only`` (they parse their options and find
  their tests; the suites themselves run in CI anyway), and ``tests/integration --sam-base-url`` is run
  for its per-IP limit tests against a ``make up`` stack (the ones that assumed other limits);
- statically: the other ``make`` commands (``make -n`` succeeds; the ``python -m deploy`` lines it
  prints parse with deploy's own parser), ``docker compose`` ones (the services, profiles and files
  they name exist in docker-compose.yml), ``.venv/bin/python -m emulator ...`` (parsed by the
  emulator's own parser), scripts (``--help``), ``.env`` lines (the keys are in .env.example);
- not runnable here, with the reason: the AWS CLI against an account.

A command that none of these rules knows fails the test: a new README block needs a decision.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import yaml

from emulator.launcher import run_serve
from tests.loadtests.test_ramp_summary import TINY_RAMP

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
NOT_RUNNABLE = {"aws": "the AWS CLI against an AWS account"}
# What the test puts in place of a file a README command names.
FILES = {"mine.json": '{"Parameters": {"LOG_LEVEL": "DEBUG"}}\n'}
FAIL_RATIO_ONLY = "max_fail_ratio = 0.0\n"  # no latency budget in a test (a loaded machine)


def readme_commands(text: str) -> list[str]:
    """The commands of every ``sh`` block: continuations joined, comments and blank lines dropped."""
    commands: list[str] = []
    for block in re.findall(r"^[ \t]*```sh\n(.*?)^[ \t]*```", text, flags=re.MULTILINE | re.DOTALL):
        pending = ""
        for raw in block.splitlines():
            line = raw.strip()
            if pending:
                line = f"{pending} {line}"
                pending = ""
            if line.endswith("\\"):
                pending = line[:-1].strip()
                continue
            words = shlex.split(line, comments=True)
            if words:
                commands.append(shlex.join(words))
    return commands


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def _make(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def _with_files(words: list[str], tmp_path: Path) -> list[str]:
    """The command with each file name of :data:`FILES` pointing at the test's copy."""
    out = []
    for word in words:
        for name, content in FILES.items():
            if name in word:
                path = tmp_path / name
                path.write_text(content)
                word = word.replace(name, str(path))
        out.append(word)
    return out


@contextlib.contextmanager
def _make_up(words: list[str], tmp_path: Path, data_dir: Path) -> Iterator[str]:
    """``make up ...`` as written, on the test's port, AWS port and data dir; yields its root URL."""
    argv = ["make", "--no-print-directory", *_with_files(words[1:], tmp_path)]
    argv += ["PORT=0", "AWS_PORT=0", f"DATA_DIR={data_dir}"]  # later assignments win in make
    with run_serve(argv, log_path=tmp_path / "make-up.log", cwd=REPO_ROOT) as running:
        yield running.root_url.replace("0.0.0.0", "127.0.0.1")


def _check_make_up(command: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with _make_up(shlex.split(command), tmp_path, data_dir) as root:
        assert requests.get(f"{root}/prod/health", timeout=60).status_code == 200, command


def _check_make_reset(command: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with _make_up(["make", "up"], tmp_path, data_dir) as root:
        assert requests.get(f"{root}/prod/health", timeout=60).status_code == 200
    done = _make(*shlex.split(command)[1:], f"DATA_DIR={data_dir}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (data_dir / "aws").exists(), "make reset left the data"


def _check_make_load(command: str, tmp_path: Path) -> None:
    budgets = tmp_path / "budgets.toml"
    budgets.write_text(FAIL_RATIO_ONLY)
    load_args = f"--budgets {budgets} --reports-dir {tmp_path / 'reports'} --think-time-scale 0.05"
    words = shlex.split(command)[1:]
    short = ["RUN_TIME=10s", "USERS=2", "SPAWN_RATE=2", "BCRYPT_ROUNDS=4", f"LOAD_ARGS={load_args}"]
    done = _make(*words, *short, env=TINY_RAMP, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "summary.html" in done.stdout.strip().splitlines()[-1]


def _check_make_statically(command: str) -> None:
    words = shlex.split(command)[1:]
    done = _make("-n", *words)
    assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
    from deploy.__main__ import build_parser

    for line in done.stdout.splitlines():
        if " -m deploy " not in f"{line} ":
            continue
        parts = shlex.split(line)
        if parts[1:3] == ["-m", "deploy"]:
            build_parser().parse_args(parts[3:])  # SystemExit (a failure) if an option is unknown


def _check_pytest(command: str) -> None:
    done = subprocess.run(
        [*shlex.split(command), "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"\d+ tests? collected", done.stdout), done.stdout[-2000:]


def _check_emulator_command(command: str) -> None:
    from emulator.cli import build_parser

    argv = shlex.split(command)[3:]  # .venv/bin/python -m emulator ...
    build_parser(argv[0]).parse_args(argv)  # SystemExit (a failure) on an unknown command or option


def _check_script(command: str) -> None:
    words = shlex.split(command)
    done = subprocess.run([sys.executable, words[1], "--help"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for option in (word.split("=")[0] for word in words[2:] if word.startswith("--")):
        assert option in done.stdout, f"{command}: {option} is not an option of {words[1]}"


def _check_docker_compose(command: str) -> None:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    words = shlex.split(command)[2:]
    profiles = {words[i + 1] for i, word in enumerate(words) if word == "--profile"}
    named = [word for word in words if word in services]
    for name in named:
        wanted = set(services[name].get("profiles", []))
        assert not wanted or wanted & profiles, f"{command}: {name} needs --profile {sorted(wanted)}"
    if "--build" in words:
        assert all("build" in services[name] for name in named or ["api"]), command
    values = {words[i + 1] for i, word in enumerate(words[:-1]) if word == "--profile"}
    subcommand = next(word for word in words if not word.startswith("-") and word not in values)
    assert subcommand in {"up", "down", "stop", "logs", "ps"}, command


def _check_env_line(command: str) -> None:
    key = command.split("=", 1)[0]
    assert re.search(rf"^#? ?{key}=", (REPO_ROOT / ".env.example").read_text(), re.MULTILINE), command


def _check_cp_env(command: str) -> None:
    assert command == "cp .env.example .env", command
    assert (REPO_ROOT / ".env.example").is_file()
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO_ROOT, check=False)
    assert ignored.returncode == 0, ".env must be git-ignored (it holds a token)"


def how_checked(command: str) -> str:
    """The kind of check a README command gets (see the module docstring)."""
    words = shlex.split(command)
    first = words[0]
    if first == "make":
        target = next((word for word in words[1:] if "=" not in word), "")
        if target == "up":
            return "run: make up"
        if target == "reset":
            return "run: make reset"
        if target in ("load", "load-ramp") and not any(w.startswith("HOST=http") for w in words):
            return "run: make load"
        return "static: make -n"
    if first in (".venv/bin/pytest",) or words[:3] == [".venv/bin/python", "-m", "pytest"]:
        return "collect: pytest"
    if words[:3] == [".venv/bin/python", "-m", "emulator"]:
        return "static: emulator parser"
    if first == ".venv/bin/python" and words[1].startswith("scripts/"):
        return "static: script --help"
    if words[:2] == ["docker", "compose"]:
        return "static: docker compose"
    if first == "cp":
        return "static: cp .env"
    if re.fullmatch(r"[A-Z_]+=\S*", command):
        return "static: .env line"
    if first in NOT_RUNNABLE:
        return f"not runnable here: {NOT_RUNNABLE[first]}"
    return "unclassified"


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command(command: str, tmp_path: Path) -> None:
    kind = how_checked(command)
    if kind.startswith("not runnable here: "):
        return  # named in NOT_RUNNABLE, with the reason
    assert kind in CHECKS, f"README command nobody checks: {command!r}"
    check, needs_tmp = CHECKS[kind]
    check(command, tmp_path) if needs_tmp else check(command)


# kind -> (check, whether it takes the test's tmp_path)
CHECKS: dict[str, tuple[Callable[..., None], bool]] = {
    "run: make up": (_check_make_up, True),
    "run: make reset": (_check_make_reset, True),
    "run: make load": (_check_make_load, True),
    "static: make -n": (_check_make_statically, False),
    "collect: pytest": (_check_pytest, False),
    "static: emulator parser": (_check_emulator_command, False),
    "static: script --help": (_check_script, False),
    "static: docker compose": (_check_docker_compose, False),
    "static: .env line": (_check_env_line, False),
    "static: cp .env": (_check_cp_env, False),
}


def test_the_readme_has_the_commands_this_test_knows() -> None:
    kinds = {how_checked(command) for command in COMMANDS}
    assert {"run: make up", "run: make reset", "run: make load", "collect: pytest"} <= kinds
    assert len(COMMANDS) > 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_integration_suite_against_make_up_holds_it_to_make_ups_limits(tmp_path: Path) -> None:
    """README: ``.venv/bin/pytest tests/integration --sam-base-url http://127.0.0.1:3000/prod`` against
    ``make up``: its per-IP limit tests (the ones that assumed other limits) pass as written."""
    (command,) = [c for c in COMMANDS if "tests/integration --sam-base-url" in c]
    with _make_up(["make", "up"], tmp_path, tmp_path / "data") as root:
        words = [word.replace("http://127.0.0.1:3000", root) for word in shlex.split(command)]
        done = subprocess.run(
            [*words, "-q", "-p", "no:cacheprovider", "-k", "per_ip or re_entry", "-n", "0"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(r"\b[3-9] passed|\b\d{2,} passed", done.stdout), done.stdout[-2000:]
