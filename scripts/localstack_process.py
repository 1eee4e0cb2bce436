"""The real LocalStack as a loopback process, without Docker: docker-compose.yml's ``localstack`` service.

``python -m localstack.runtime.main`` from its own venv (scripts/localstack_venv.py), with the
service's environment from docker-compose.yml (``SERVICES``...) plus what running outside a
container needs:

- ``GATEWAY_LISTEN`` and ``LOCALSTACK_HOST`` on ``127.0.0.1:PORT``, a port picked at run time;
- ``GATEWAY_SERVER=hypercorn``: the default server ignores the host and listens on all interfaces;
- ``OVERRIDE_IN_DOCKER=0``: it would otherwise believe it runs in Docker;
- ``PERSISTENCE=0``, ``DNS_ADDRESS=0`` (no DNS server), ``DISABLE_EVENTS=1`` (no analytics calls),
  ``SKIP_SSL_CERT_DOWNLOAD=1`` (its self-signed certificate, no download);
- ``FILESYSTEM_ROOT``, ``TMP`` and ``HOME`` in a scratch directory, so that two runs never share
  (and clear) LocalStack's tmp folder, and no ``~/.localstack`` of the developer's is read
  (``TMP``, not ``TMPDIR``: LocalStack reads ``TMPDIR`` as a deprecated setting of its own).

It says ``Ready.`` on stdout once it serves. Then the set-up checks it the way a user's tools
find it: ``localstack-client`` from ``LOCALSTACK_HOST`` (it ignores ``EDGE_PORT``: the port goes
in the host), and LocalStack's ``/_localstack/health`` must list every service of ``SERVICES``.
Stopping is the launcher's: SIGTERM, which LocalStack takes 2.5-4 s to honour once it has served
requests (stopped before any, it was seen to hang), then SIGKILL of its process group.
"""

from __future__ import annotations

import contextlib
import os
import queue
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from localstack_client.config import get_service_endpoint

from emulator.http_json import Unreachable, request_json
from emulator.launcher import stop_process_group, tail
from scripts.compose_file import environment, load_compose

SERVICE = "localstack"
READY_LINE = "Ready."  # localstack.constants.READY_MARKER_OUTPUT
STARTUP_TIMEOUT_S = 90.0
PORT_ATTEMPTS = 3
_PROCESS_BASICS = ("PATH", "LANG", "LC_ALL")
HOST_SETTINGS = {
    "GATEWAY_SERVER": "hypercorn",
    "OVERRIDE_IN_DOCKER": "0",
    "PERSISTENCE": "0",
    "DNS_ADDRESS": "0",
    "DISABLE_EVENTS": "1",
    "SKIP_SSL_CERT_DOWNLOAD": "1",
}
_HEALTHY = ("available", "running")


class LocalStackError(RuntimeError):
    """LocalStack did not start, or does not serve what docker-compose.yml asks of it."""


@dataclass(frozen=True)
class RunningLocalStack:
    endpoint_url: str  # http://127.0.0.1:PORT, as localstack-client finds it from localstack_host
    localstack_host: str  # 127.0.0.1:PORT (LOCALSTACK_HOST's form)
    services: tuple[str, ...]  # SERVICES, as its health endpoint reports them
    version: str
    startup_s: float  # process start to "Ready."
    log_path: Path
    pid: int


def service_environment(compose_path: Path | None = None) -> dict[str, str]:
    """The localstack service's environment from docker-compose.yml (SERVICES, the token...)."""
    compose = load_compose(compose_path) if compose_path is not None else load_compose()
    return environment(compose["services"][SERVICE])


def process_environment(
    port: int, scratch: Path, compose_env: Mapping[str, str], base: Mapping[str, str] | None = None
) -> dict[str, str]:
    base = os.environ if base is None else base
    env = {key: base[key] for key in _PROCESS_BASICS if key in base}
    env.update(compose_env)
    address = f"127.0.0.1:{port}"
    for name in ("filesystem", "tmp", "home"):
        (scratch / name).mkdir(parents=True, exist_ok=True)
    env.update(
        HOST_SETTINGS,
        GATEWAY_LISTEN=address,
        LOCALSTACK_HOST=address,
        FILESYSTEM_ROOT=str(scratch / "filesystem"),
        TMP=str(scratch / "tmp"),
        HOME=str(scratch / "home"),
        PYTHONUNBUFFERED="1",
    )
    return env


def free_port() -> int:
    # LocalStack binds its own socket (GATEWAY_LISTEN takes a port, not a descriptor): a port that
    # was free a moment ago may be taken by then, in which case it exits and another is tried.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def run_localstack(
    python: Path,
    scratch: Path,
    *,
    compose_path: Path | None = None,
    startup_timeout_s: float = STARTUP_TIMEOUT_S,
) -> Iterator[RunningLocalStack]:
    """Start LocalStack, wait for ``Ready.``, check it with localstack-client, yield, stop it."""
    compose_env = service_environment(compose_path)
    wanted = tuple(s.strip() for s in compose_env.get("SERVICES", "").split(",") if s.strip())
    log_path = scratch / "localstack.log"
    failures: list[str] = []
    for _attempt in range(PORT_ATTEMPTS):
        port = free_port()
        env = process_environment(port, scratch, compose_env)
        started = time.perf_counter()
        process = _spawn(python, env, log_path)
        try:
            if not _wait_for_ready(process, log_path, startup_timeout_s):
                failures.append(tail(log_path))
                continue
            startup_s = time.perf_counter() - started
            localstack_host = f"127.0.0.1:{port}"
            endpoint_url = str(get_service_endpoint("secretsmanager", localstack_host))
            version = _check_health(endpoint_url, wanted)
            yield RunningLocalStack(
                endpoint_url=endpoint_url,
                localstack_host=localstack_host,
                services=wanted,
                version=version,
                startup_s=startup_s,
                log_path=log_path,
                pid=process.pid,
            )
            return
        finally:
            stop_process_group(process)
    raise LocalStackError(f"LocalStack exited before it was ready; its output:\n{failures[-1]}")


def _spawn(python: Path, env: dict[str, str], log_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(python.absolute()), "-m", "localstack.runtime.main"],  # run in its scratch HOME
        env=env,
        cwd=env["HOME"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: whatever it starts goes down with it
    )


def _wait_for_ready(process: subprocess.Popen[str], log_path: Path, timeout_s: float) -> bool:
    """True once it prints ``Ready.``; False if it exits first. Its output goes on to ``log_path``."""
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(process, log_path, lines), daemon=True).start()
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise LocalStackError(
                f"LocalStack printed no {READY_LINE!r} within {timeout_s:.0f} s; "
                f"its output:\n{tail(log_path)}"
            ) from None
        if line is None:
            process.wait()
            return False
        if line.strip() == READY_LINE:
            return True


def _pump(process: subprocess.Popen[str], log_path: Path, lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    with open(log_path, "a", encoding="utf-8") as log_file:
        for line in process.stdout:
            log_file.write(line)
            log_file.flush()
            lines.put(line)
    lines.put(None)


def _check_health(endpoint_url: str, wanted: tuple[str, ...]) -> str:
    """LocalStack's version, once its health endpoint lists every wanted service as usable."""
    try:
        status, health = request_json(f"{endpoint_url}/_localstack/health", timeout_s=10.0)
    except Unreachable as exc:
        raise LocalStackError(f"LocalStack said Ready but {endpoint_url} does not answer: {exc}") from None
    services = health.get("services", {}) if status == 200 and isinstance(health, dict) else {}
    missing = [s for s in wanted if services.get(s) not in _HEALTHY]
    if missing:
        raise LocalStackError(f"LocalStack at {endpoint_url} does not serve {', '.join(missing)}: {health}")
    return str(health.get("version", "?"))
