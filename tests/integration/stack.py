"""Starting the embedded stack (``python -m emulator serve``) for the integration suite.

``serve --port 0`` prints ``Ready on http://HOST:PORT`` once requests are answered;
its stderr is captured to a file here for the log-scan test. The process handling is
``emulator.launcher``'s, shared with every other tool that starts a stack.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from emulator.launcher import ServeStartError, run_serve, serve_argv

REPO_ROOT = Path(__file__).resolve().parents[2]
ENV_JSON = Path(__file__).resolve().parent / "env.json"

StackStartError = ServeStartError


@dataclass(frozen=True)
class EmbeddedStack:
    root_url: str  # http://127.0.0.1:PORT, no stage
    banner: str  # what serve printed on stdout before the Ready line
    log_path: Path  # serve's stderr


def serve_command(python: str, stage_params: list[str]) -> list[str]:
    return serve_argv(
        "--port",
        "0",
        "--template",
        "template.yaml",
        # make up's local settings (the local identity providers), then the suite's own.
        "--env-vars",
        "env.local.json",
        "--env-vars",
        str(ENV_JSON.relative_to(REPO_ROOT)),
        *(["--parameter-overrides", *stage_params] if stage_params else []),
        python=python,
    )


def _venv_python() -> str:
    candidate = REPO_ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


@contextlib.contextmanager
def run_embedded_stack(log_path: Path, extra_overrides: list[str] | None = None) -> Iterator[EmbeddedStack]:
    """Start serve, wait for its Ready line, yield, then stop it with its workers."""
    command = serve_command(_venv_python(), extra_overrides or [])
    with run_serve(command, log_path=log_path, cwd=REPO_ROOT) as running:
        yield EmbeddedStack(root_url=running.root_url, banner=running.banner, log_path=log_path)
