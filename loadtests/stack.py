"""Start the local stack (``python -m emulator serve --port 0``) for a load run, and stop it after.

serve prints its banner (see emulator/launcher.py) on stdout and, as its last startup line, exactly
``Ready on http://HOST:PORT`` once requests are answered; its request log and the functions'
logs go to stderr, which is kept in a file next to the run's report.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from emulator.launcher import ServeStartError, run_serve

REPO_ROOT = Path(__file__).resolve().parent.parent
STAGE = "prod"

# What the functions get on top of the template and env.local.json (SAM --env-vars shape). STAGE
# is the local one, so the backend accepts the local identity provider and a low bcrypt cost.
# The per-IP login and
# registration limits are off: every virtual user comes from the one load-generator address, and
# those limits (60 logins / 5 min / IP by default) exist to stop one attacker, not a crowd.
LOAD_ENV_PARAMETERS: dict[str, str] = {
    "STAGE": "local",
    "LOGIN_IP_LIMIT": "0",
    "REGISTER_IP_LIMIT": "0",
    "GOOGLE_IP_LIMIT": "0",
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
        str(REPO_ROOT / "env.local.json"),
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
    try:
        with run_serve(
            serve_command(env_vars_file, options), log_path=workdir / "stack.log", cwd=REPO_ROOT
        ) as running:
            endpoint = re.search(r"^AWS endpoint: (\S+)", running.banner, re.MULTILINE)
            yield LocalStack(
                root_url=running.root_url,
                base_url=f"{running.root_url}/{STAGE}",
                aws_endpoint_url=endpoint.group(1) if endpoint else None,
                banner=running.banner,
                pid=running.pid,
            )
    except ServeStartError as exc:
        raise StackStartError(str(exc)) from None
