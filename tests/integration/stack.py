"""Starting the embedded stack (``python -m emulator serve``) for the integration suite.

Contract I: ``serve --port 0`` prints its banner on stdout and, as its last startup line,
``Ready on http://HOST:PORT`` once requests are answered; everything else goes to stderr,
which is captured to a file here for the log-scan test.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ENV_JSON = Path(__file__).resolve().parent / "env.json"
READY_LINE = re.compile(r"^Ready on (?P<url>https?://\S+)\s*$")
STARTUP_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 20.0


class StackStartError(RuntimeError):
    pass


@dataclass(frozen=True)
class EmbeddedStack:
    root_url: str  # http://127.0.0.1:PORT, no stage
    banner: str  # what serve printed on stdout before the Ready line
    log_path: Path  # serve's stderr


def serve_command(python: str, stage_params: list[str]) -> list[str]:
    return [
        python,
        "-m",
        "emulator",
        "serve",
        "--port",
        "0",
        "--template",
        "template.yaml",
        "--env-vars",
        str(ENV_JSON.relative_to(REPO_ROOT)),
        "--parameter-overrides",
        "GoogleJwksUrl={{emulator.url}}/_emulator/idp/jwks.json",
        *stage_params,
    ]


def _venv_python() -> str:
    candidate = REPO_ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def _pump_stdout(stream: object, lines: queue.Queue[str | None]) -> None:
    # Reads serve's stdout to the end, so that its pipe never fills up and blocks it.
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)
    lines.put(None)


@contextlib.contextmanager
def run_embedded_stack(log_path: Path, extra_overrides: list[str] | None = None) -> Iterator[EmbeddedStack]:
    """Start serve, wait for its Ready line, yield, then stop it (SIGTERM, then SIGKILL of its group)."""
    command = serve_command(_venv_python(), extra_overrides or [])
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=log_file,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,  # its own process group: the workers go down with it
        )
    lines: queue.Queue[str | None] = queue.Queue()
    pump = threading.Thread(target=_pump_stdout, args=(proc.stdout, lines), daemon=True)
    pump.start()
    banner: list[str] = []
    try:
        root_url = _wait_for_ready(proc, lines, banner, log_path)
        yield EmbeddedStack(root_url=root_url.rstrip("/"), banner="".join(banner), log_path=log_path)
    finally:
        _stop(proc)


def _wait_for_ready(
    proc: subprocess.Popen[str], lines: queue.Queue[str | None], banner: list[str], log_path: Path
) -> str:
    while True:
        try:
            line = lines.get(timeout=STARTUP_TIMEOUT_S)
        except queue.Empty:
            raise StackStartError(
                f"serve printed no 'Ready on URL' line within {STARTUP_TIMEOUT_S:.0f}s; "
                f"stderr tail:\n{_tail(log_path)}"
            ) from None
        if line is None:
            code = proc.wait()
            raise StackStartError(
                f"serve exited with code {code} before it was ready; stdout:\n{''.join(banner)}\n"
                f"stderr tail:\n{_tail(log_path)}"
            )
        match = READY_LINE.match(line)
        if match:
            return match.group("url")
        banner.append(line)


def _tail(path: Path, max_chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-max_chars:]
    except OSError:
        return "(no stderr captured)"


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=STOP_TIMEOUT_S)
    # Whatever serve left behind in the group we started (workers), by the group's id.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait(timeout=STOP_TIMEOUT_S)
