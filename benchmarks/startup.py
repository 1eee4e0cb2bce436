"""Start-up: from ``python -m emulator serve`` (what ``make up`` runs) to the first 200 on /prod/health.

Two cases, each measured over several interleaved rounds (median reported, the machine is shared):
- first start: an empty data dir (tables created, the signing-key secret created and rotated
  once through KeyRotationFunction, a Lambda cold start);
- restart: the same data dir again (snapshot loaded, nothing to create).

The clock starts just before the process is spawned and stops at the first 200 seen by a client
polling every 10 ms (a benchmark, so polling is fine). The serve process's own phase line
(``[serve] template ... s, AWS endpoint up at ... s, provisioned at ... s``) is kept as well.
Budget (issues 2 and 6): under 2 s in both cases.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 2.0
ROUNDS = int(os.environ.get("BENCH_STARTUP_ROUNDS", "5"))
_PHASES = re.compile(r"\[serve\] (.*)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_command(port: int, data_dir: Path) -> list[str]:
    """The command line of ``make up`` (Makefile), on another port and data dir."""
    return [
        sys.executable,
        "-m",
        "emulator",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--aws-port",
        "0",
        "--data-dir",
        str(data_dir),
        "--env-vars",
        "env.local.json",
    ]


def time_to_first_200(data_dir: Path, *, path: str = "/prod/health") -> tuple[float, str]:
    """Seconds from spawn to the first 200 on ``path``; and the serve process's phase line."""
    port = _free_port()
    with tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen(
            serve_command(port, data_dir),
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            elapsed = _poll_until_ok(proc, port, path, started)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        stderr.seek(0)
        phases = _PHASES.findall(stderr.read())
    return elapsed, phases[0] if phases else ""


def _poll_until_ok(proc: subprocess.Popen[bytes], port: int, path: str, started: float) -> float:
    while time.perf_counter() - started < 120:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited with {proc.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.01)  # the port is not bound yet: poll again (a benchmark, not a test)
    raise RuntimeError(f"no 200 on {path} within 120 s")


def run() -> dict[str, Any]:
    first: list[float] = []
    restart: list[float] = []
    phases: dict[str, list[str]] = {"first": [], "restart": []}
    for _ in range(ROUNDS):  # interleaved: a first start, then a restart on its data dir
        with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
            data_dir = Path(scratch) / "data"
            seconds, line = time_to_first_200(data_dir)
            first.append(seconds)
            phases["first"].append(line)
            seconds, line = time_to_first_200(data_dir)
            restart.append(seconds)
            phases["restart"].append(line)
    first_s, restart_s = statistics.median(first), statistics.median(restart)
    print(f"  {'first start to first 200 (s)':<40}{first_s:>8.2f}  runs: {_fmt(first)}")
    print(f"  {'restart to first 200 (s)':<40}{restart_s:>8.2f}  runs: {_fmt(restart)}")
    if phases["first"][0]:
        print(f"  first start phases: {phases['first'][len(first) // 2]}")
        print(f"  restart phases:     {phases['restart'][len(restart) // 2]}")
    return {
        "first_start_s": round(first_s, 3),
        "restart_s": round(restart_s, 3),
        "first_start_runs_s": [round(s, 3) for s in first],
        "restart_runs_s": [round(s, 3) for s in restart],
        "phases": phases,
        "budgets": [
            {
                "name": "first start to first 200 (s, median)",
                "value": round(first_s, 2),
                "limit": f"< {BUDGET_S}",
                "ok": first_s < BUDGET_S,
            },
            {
                "name": "restart to first 200 (s, median)",
                "value": round(restart_s, 2),
                "limit": f"< {BUDGET_S}",
                "ok": restart_s < BUDGET_S,
            },
        ],
    }


def _fmt(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    run()
