"""Start the local stack (``python -m emulator serve --port 0``) for a load run, and stop it after.

Contract G: serve prints its banner on stdout and, as its last startup line, exactly
``Ready on http://HOST:PORT`` once requests are answered; its request log and the functions'
logs go to stderr, which is kept in a file next to the run's report.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
READY_LINE = re.compile(r"^Ready on (?P<url>https?://\S+)\s*$")
STARTUP_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 20.0
STAGE = "prod"

# What the functions get on top of the template (SAM --env-vars shape). STAGE is not "prod", so
# the backend accepts the local identity provider and a low bcrypt cost. The per-IP login and
# registration limits are off: every virtual user comes from the one load-generator address, and
# those limits (60 logins / 5 min / IP by default) exist to stop one attacker, not a crowd.
LOAD_ENV_PARAMETERS: dict[str, str] = {
    "STAGE": "load",
    "LOGIN_IP_LIMIT": "0",
    "REGISTER_IP_LIMIT": "0",
}


class StackStartError(RuntimeError):
    pass


@dataclass(frozen=True)
class StackOptions:
    bcrypt_rounds: int = 12  # the template's default, i.e. what the deployed stage runs
    access_token_ttl_s: int = 900
    # API Gateway stage throttling (template: 100 req/s, burst 200). Raised for a local run so
    # that the run measures the functions; a deployed stage keeps its own limits.
    throttle_rate: int = 100_000
    throttle_burst: int = 100_000
    extra_env: Mapping[str, str] | None = None

    def env_vars(self) -> dict[str, dict[str, str]]:
        parameters = {**LOAD_ENV_PARAMETERS, "BCRYPT_ROUNDS": str(self.bcrypt_rounds)}
        parameters.update(self.extra_env or {})
        return {"Parameters": parameters}

    def parameter_overrides(self) -> list[str]:
        return [
            "GoogleJwksUrl={{emulator.url}}/_emulator/idp/jwks.json",
            f"AccessTokenTtlSeconds={self.access_token_ttl_s}",
            f"ApiThrottleRateLimit={self.throttle_rate}",
            f"ApiThrottleBurstLimit={self.throttle_burst}",
        ]


@dataclass(frozen=True)
class LocalStack:
    root_url: str  # http://127.0.0.1:PORT
    base_url: str  # with the stage: what the app (and Locust's --host) uses
    aws_endpoint_url: str | None  # the embedded AWS endpoint, from the banner
    banner: str
    pid: int  # serve's process (its Lambda workers and embedded AWS are its descendants)


def _python() -> str:
    candidate = REPO_ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def serve_command(env_vars_file: Path, options: StackOptions) -> list[str]:
    return [
        _python(),
        "-m",
        "emulator",
        "serve",
        "--port",
        "0",
        "--template",
        str(REPO_ROOT / "template.yaml"),
        "--env-vars",
        str(env_vars_file),
        "--no-reload",
        "--parameter-overrides",
        *options.parameter_overrides(),
    ]


@contextlib.contextmanager
def local_stack(workdir: Path, options: StackOptions | None = None) -> Iterator[LocalStack]:
    """Start serve on a free port, yield once it is ready, then stop it and its workers."""
    options = options or StackOptions()
    workdir.mkdir(parents=True, exist_ok=True)
    env_vars_file = workdir / "stack-env.json"
    env_vars_file.write_text(json.dumps(options.env_vars(), indent=2) + "\n")
    log_path = workdir / "stack.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(
            serve_command(env_vars_file, options),
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=log_file,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,  # its own process group, so its workers go down with it
        )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    try:
        root_url, banner = _wait_for_ready(proc, lines, log_path)
        endpoint = re.search(r"^AWS endpoint: (\S+)", banner, re.MULTILINE)
        yield LocalStack(
            root_url=root_url,
            base_url=f"{root_url}/{STAGE}",
            aws_endpoint_url=endpoint.group(1) if endpoint else None,
            banner=banner,
            pid=proc.pid,
        )
    finally:
        _stop(proc)


def _pump(stream: object, lines: queue.Queue[str | None]) -> None:
    # Keep reading serve's stdout so that its pipe never fills up and blocks it.
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)
    lines.put(None)


def _wait_for_ready(
    proc: subprocess.Popen[str], lines: queue.Queue[str | None], log_path: Path
) -> tuple[str, str]:
    banner: list[str] = []
    while True:
        try:
            line = lines.get(timeout=STARTUP_TIMEOUT_S)
        except queue.Empty:
            raise StackStartError(
                f"serve printed no 'Ready on URL' line within {STARTUP_TIMEOUT_S:.0f} s; see {log_path}"
            ) from None
        if line is None:
            raise StackStartError(f"serve exited with code {proc.wait()} before it was ready; see {log_path}")
        match = READY_LINE.match(line)
        if match:
            return match.group("url").rstrip("/"), "".join(banner)
        banner.append(line)


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=STOP_TIMEOUT_S)
    # Whatever is left in the group we started (Lambda workers), by the group's id.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait(timeout=STOP_TIMEOUT_S)
