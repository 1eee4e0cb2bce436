"""The dashboard's recording cost, counted in instructions: the same figure every run.

``shim`` measures what recording costs in req/s and CPU time, as the issue asks, and on a
machine shared with other work those move by several percent from one second to the next,
more than the cost itself. Here the serve process runs under valgrind's callgrind, which counts
the instructions it executes: after a warm-up, a fixed number of requests, one keep-alive
connection, on the bench's echo template, with the dashboard on and with ``--no-dashboard``.
The count does not depend on the machine's load, so a change of a few hundred instructions a
request shows (the serve process's own: its Lambda workers run natively, uncounted).

Needs ``valgrind`` (Debian: ``apt install valgrind``); without it the suite says so and
reports nothing. Not a budget of its own: it is the deterministic twin of ``shim``'s
CPU-per-request ratio, for finding where recording's cost goes.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.shim import REPO_ROOT, write_echo_app
from emulator.launcher import run_serve, serve_argv

WARM_UP = 300  # requests before counting: cold starts, first-use caches
REQUESTS = 1500  # counted
STARTUP_TIMEOUT_S = 300.0  # serve starts ~30x slower under callgrind
CASES = (("nodash", ("--no-dashboard",)), ("dashboard", ()))


def run() -> dict[str, Any]:
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("  valgrind is not installed (apt install valgrind): nothing counted", flush=True)
        return {"skipped": "valgrind not installed"}
    figures: dict[str, Any] = {"requests": REQUESTS}
    with tempfile.TemporaryDirectory(prefix="bench-recording-") as scratch:
        root = Path(scratch)
        template = write_echo_app(root)
        for name, options in CASES:
            started = time.perf_counter()
            print(f"  {name}: serve under callgrind, {WARM_UP} + {REQUESTS} requests ...", flush=True)
            figures[f"{name}_instructions_per_request"] = _count(root, template, name, options)
            print(
                f"  {name}: {figures[f'{name}_instructions_per_request']:,} instructions a request "
                f"({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    base = figures["nodash_instructions_per_request"]
    added = figures["dashboard_instructions_per_request"] - base
    figures["dashboard_added_per_request"] = added
    figures["dashboard_ratio"] = round(figures["dashboard_instructions_per_request"] / base, 3)
    print(
        f"  recording adds {added:,} instructions a request: x{figures['dashboard_ratio']} "
        "of the serve process's own with --no-dashboard",
        flush=True,
    )
    return figures


def _count(root: Path, template: Path, name: str, options: tuple[str, ...]) -> int:
    out = root / f"callgrind-{name}.out"
    argv = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",  # counting starts after the warm-up (callgrind_control -i on)
        f"--callgrind-out-file={out}",
        *serve_argv("--port", "0", "--template", str(template), "--no-reload", *options),
    ]
    log = root / f"serve-{name}.log"
    with run_serve(argv, log_path=log, cwd=REPO_ROOT, startup_timeout_s=STARTUP_TIMEOUT_S) as serve:
        target = urlsplit(serve.root_url)
        connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=60)
        try:
            _requests(connection, WARM_UP)
            _control(serve.pid, "--instr=on")
            _requests(connection, REQUESTS)
            _control(serve.pid, "--instr=off")
            _control(serve.pid, "--dump")
        finally:
            connection.close()
    dumps = sorted(root.glob(f"{out.name}.*"))
    if not dumps:
        raise RuntimeError(f"callgrind wrote no dump for {name} (see {log})")
    return round(_total(dumps[-1]) / REQUESTS)


def _requests(connection: http.client.HTTPConnection, count: int) -> None:
    for _ in range(count):
        connection.request("GET", "/Prod/echo")
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"the echo function answered {response.status}")


def _control(pid: int, command: str) -> None:
    subprocess.run(["callgrind_control", command, str(pid)], check=True, capture_output=True, timeout=120)


def _total(dump: Path) -> int:
    match = re.search(r"^totals: (\d+)", dump.read_text(errors="replace"), re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no totals in {dump}")
    return int(match.group(1))


if __name__ == "__main__":
    print(run(), file=sys.stderr)
