"""Start ``python -m emulator serve`` as a child process and wait until it answers.

For tools and tests that need a running stack (the integration suite, the compose topology,
the artifact check, load tests, benchmarks): they all talk to it over HTTP only, so this is the
one place that knows how ``serve`` announces itself. ``serve`` prints its banner on stdout and,
as its last start-up line, ``Ready on http://HOST:PORT`` once a request has been answered;
everything else (request log, Lambda logs) goes to stderr, which is written to ``log_path``.
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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

READY_LINE = re.compile(r"^Ready on (?P<url>https?://\S+)\s*$")
AWS_ENDPOINT_LINE = re.compile(r"^AWS endpoint: (?P<url>https?://\S+)", re.MULTILINE)
STARTUP_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 20.0


class ServeStartError(RuntimeError):
    """``serve`` exited, or never said it was ready; the message carries its output."""


@dataclass(frozen=True)
class RunningServe:
    root_url: str  # http://127.0.0.1:PORT, no stage, no trailing slash
    banner: str  # what serve printed on stdout before the Ready line
    log_path: Path  # serve's stderr
    pid: int

    @property
    def aws_endpoint(self) -> str | None:
        """The embedded AWS endpoint's URL, as the banner's ``AWS endpoint:`` line gives it."""
        match = AWS_ENDPOINT_LINE.search(self.banner)
        return match.group("url") if match else None


def serve_argv(*options: str, python: str | None = None) -> list[str]:
    """``[python, -m, emulator, serve, *options]``."""
    return [python or sys.executable, "-m", "emulator", "serve", *options]


@contextlib.contextmanager
def run_serve(
    argv: Sequence[str],
    *,
    log_path: Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    startup_timeout_s: float = STARTUP_TIMEOUT_S,
) -> Iterator[RunningServe]:
    """Run ``argv`` (a serve command line), wait for its Ready line, yield, then stop it.

    Stopping is SIGTERM (serve shuts its workers and AWS endpoint down), then SIGKILL of the
    process group it leads, so nothing it started outlives the block.
    """
    process_env = dict(os.environ if env is None else env)
    process_env.setdefault("PYTHONUNBUFFERED", "1")
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=process_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
            start_new_session=True,  # its own process group: its Lambda workers go down with it
        )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(proc, lines), daemon=True).start()
    try:
        root_url, banner = _wait_for_ready(proc, lines, log_path, startup_timeout_s)
        yield RunningServe(root_url=root_url, banner=banner, log_path=log_path, pid=proc.pid)
    finally:
        stop_process_group(proc)


def _pump(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    # Drains stdout to the end, so that serve never blocks on a full pipe.
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line)
    lines.put(None)


def _wait_for_ready(
    proc: subprocess.Popen[str], lines: queue.Queue[str | None], log_path: Path, timeout_s: float
) -> tuple[str, str]:
    banner: list[str] = []
    while True:
        try:
            line = lines.get(timeout=timeout_s)
        except queue.Empty:
            raise ServeStartError(
                f"serve printed no 'Ready on URL' line within {timeout_s:.0f} s; "
                f"stderr tail:\n{tail(log_path)}"
            ) from None
        if line is None:
            code = proc.wait()
            raise ServeStartError(
                f"serve exited with code {code} before it was ready; stdout:\n{''.join(banner)}\n"
                f"stderr tail:\n{tail(log_path)}"
            )
        match = READY_LINE.match(line)
        if match:
            return match.group("url").rstrip("/"), "".join(banner)
        banner.append(line)


def tail(path: Path, max_chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-max_chars:]
    except OSError:
        return "(no stderr captured)"


def stop_process_group(proc: subprocess.Popen[str]) -> None:
    """SIGTERM, a wait, then SIGKILL of the process group ``proc`` leads (``start_new_session``)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=STOP_TIMEOUT_S)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever it left in the group it leads
    if proc.poll() is None:
        proc.wait(timeout=STOP_TIMEOUT_S)
