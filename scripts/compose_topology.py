"""The compose topology without Docker: every service of docker-compose.yml as a loopback process.

- ``dynamodb-local`` and ``localstack``: each one embedded AWS endpoint (``EmbeddedAws``, its own
  process) on a port picked at run time, unless the caller runs the real one (``running``: the
  ``localstack`` target of ``make test-targets`` runs LocalStack itself, scripts/localstack_process.py);
- ``api``: ``python -m emulator serve`` as its own process, run with the api service's command and
  **exactly** its environment from docker-compose.yml, where each URL on another service
  (``http://dynamodb-local:8000``) is rewritten to that service's stand-in, as Docker's DNS would
  resolve it. Only the port and host change (``--port 0``, loopback), and a second ``--env-vars``
  adds the integration suite's file (low bcrypt cost, the per-IP limits the suite expects).

Then the integration suite runs against it over HTTP (``--sam-base-url``), as against any target.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from emulator.aws import EmbeddedAws
from emulator.launcher import ServeStartError, run_serve
from scripts.compose_file import (
    API_SERVICE,
    COMPOSE_FILE,
    REPO_ROOT,
    command,
    environment,
    load_compose,
    service_addresses,
    with_option,
)

INTEGRATION_ENV_JSON = Path("tests/integration/env.json")
SUITE_SUMMARY = re.compile(r"^=*\s*(?P<summary>.*\b(passed|failed|error|errors|deselected)\b.*?)\s*=*$")
# What a container has besides the compose environment: the image's PATH and locale, a HOME, and
# the Dockerfile's PYTHONUNBUFFERED (serve's Ready line must not wait in a buffer).
_PROCESS_BASICS = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


class TopologyError(RuntimeError):
    pass


@dataclass(frozen=True)
class RunningTopology:
    root_url: str  # http://127.0.0.1:PORT (no stage)
    base_url: str  # with the stage, as the iOS app would use it
    stand_ins: dict[str, str]  # compose service -> the loopback endpoint standing in for it
    environment: dict[str, str]  # the api service's environment after hostname mapping
    serve_command: list[str]
    log_path: Path  # serve's stderr


def venv_python() -> str:
    candidate = REPO_ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def map_to_stand_ins(
    env: Mapping[str, str], addresses: Mapping[str, tuple[str, int]], stand_ins: Mapping[str, str]
) -> dict[str, str]:
    """The environment with each ``http://SERVICE:PORT`` origin replaced by its stand-in's origin."""
    mapped = dict(env)
    for name, (service, _port) in addresses.items():
        given, stand_in = urlsplit(env[name]), urlsplit(stand_ins[service])
        mapped[name] = urlunsplit((stand_in.scheme, stand_in.netloc, given.path, given.query, given.fragment))
    return mapped


def serve_command(api_command: list[str], python: str, env_vars_file: Path) -> list[str]:
    """The api service's command on loopback, port picked at run time, plus the suite's --env-vars
    (applied after the command's own env.local.json, whose keys it overrides)."""
    if api_command[:2] != ["python", "-m"]:
        raise TopologyError(f"docker-compose.yml: api command should start with 'python -m': {api_command}")
    argv = [python, *api_command[1:]]
    argv = with_option(argv, "--host", "127.0.0.1")
    argv = with_option(argv, "--port", "0")
    return [*argv, "--env-vars", str(env_vars_file)]


@contextlib.contextmanager
def compose_topology(
    log_path: Path,
    *,
    compose_path: Path = COMPOSE_FILE,
    env_vars_file: Path = INTEGRATION_ENV_JSON,
    stage: str = "prod",
    running: Mapping[str, str] | None = None,
) -> Iterator[RunningTopology]:
    """``running``: services already up (name -> endpoint URL), e.g. the real LocalStack as a
    process; every other service the api environment names gets an embedded endpoint."""
    compose = load_compose(compose_path)
    api_env = environment(compose["services"][API_SERVICE])
    addresses = service_addresses(compose, api_env)
    if not addresses:
        raise TopologyError("docker-compose.yml: the api environment names no other service")
    with contextlib.ExitStack() as stack:
        stand_ins: dict[str, str] = dict(running or {})
        for service in sorted({service for service, _ in addresses.values()} - set(stand_ins)):
            endpoint = stack.enter_context(EmbeddedAws(port=0, ttl_sweep_interval_s=0))
            stand_ins[service] = endpoint.endpoint_url
        mapped = map_to_stand_ins(api_env, addresses, stand_ins)
        argv = serve_command(command(compose["services"][API_SERVICE]), venv_python(), env_vars_file)
        process_env = {key: os.environ[key] for key in _PROCESS_BASICS if key in os.environ}
        # An empty home, as in the container: no ~/.aws config or credentials of the developer's.
        home = log_path.parent / "home"
        home.mkdir(exist_ok=True)
        process_env.update(HOME=str(home), PYTHONUNBUFFERED="1", **mapped)
        root_url = stack.enter_context(_serve(argv, process_env, log_path))
        yield RunningTopology(
            root_url=root_url,
            base_url=f"{root_url}/{stage}",
            stand_ins=stand_ins,
            environment=mapped,
            serve_command=argv,
            log_path=log_path,
        )


@contextlib.contextmanager
def _serve(argv: list[str], env: dict[str, str], log_path: Path) -> Iterator[str]:
    try:
        with run_serve(argv, log_path=log_path, cwd=REPO_ROOT, env=env) as running:
            yield running.root_url
    except ServeStartError as exc:
        raise TopologyError(str(exc)) from None


@dataclass(frozen=True)
class SuiteResult:
    returncode: int
    summary: str  # pytest's last line, e.g. "110 passed, 7 deselected in 61.2s"
    output: str

    @property
    def passed(self) -> bool:
        return self.returncode == 0


def run_integration_suite(base_url: str | None, *extra_args: str, timeout_s: float = 900.0) -> SuiteResult:
    """``pytest tests/integration [--sam-base-url URL]`` in its own process, output captured.

    Without a base URL the suite starts the embedded stack itself (the emulator's pytest plugin).
    """
    target = ["--sam-base-url", base_url] if base_url is not None else []
    argv = [venv_python(), "-m", "pytest", "tests/integration", "-q", "-p", "no:cacheprovider", *target]
    argv += extra_args
    completed = subprocess.run(
        argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout_s, check=False
    )
    output = completed.stdout + completed.stderr
    return SuiteResult(completed.returncode, summary_line(output), output)


def summary_line(output: str) -> str:
    for line in reversed(output.strip().splitlines()):
        match = SUITE_SUMMARY.match(line.strip())
        if match:
            return match.group("summary")
    return "(no pytest summary)"
