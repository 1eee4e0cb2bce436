"""``npm install`` with a word first and progress meanwhile: ``make bench`` installs its
serverless-offline peer (about 40 s, once) and must not look stuck while it does.

npm's own progress bar needs a terminal and ``--loglevel=error`` shows nothing, so npm runs at
``--loglevel=http`` (a line per registry fetch) and a line like ``... 212 packages fetched, 10 s``
is printed every ``every_s`` seconds; npm's errors are printed as they come.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PROGRESS_EVERY_S = 5.0


def npm_install_command(packages: Sequence[str]) -> list[str]:
    return ["npm", "install", "--no-audit", "--no-fund", "--loglevel=http", *packages]


def run_with_progress(
    command: Sequence[str],
    *,
    cwd: Path,
    what: str,
    every_s: float = PROGRESS_EVERY_S,
    timeout_s: float = 900.0,
    say: Callable[[str], None] = lambda line: print(line, flush=True),
) -> None:
    """Run ``command``, saying what it installs, then how far it got every ``every_s`` seconds."""
    say(f"  installing {what} from npm into {cwd} (once; about 40 s) ...")
    started = time.monotonic()
    fetched = 0
    lock = threading.Lock()
    process = subprocess.Popen(
        list(command), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    done = threading.Event()

    def report() -> None:
        while not done.wait(every_s):
            with lock:
                count = fetched
            say(f"  ... {count} packages fetched, {time.monotonic() - started:.0f} s")

    reporter = threading.Thread(target=report, name="npm-progress", daemon=True)
    reporter.start()
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if " fetch " in line:
                with lock:
                    fetched += 1
            elif "ERR!" in line or " error " in line.lower():
                say(f"  npm: {line.rstrip()}")
        returncode = process.wait(timeout=timeout_s)
    finally:
        done.set()
        reporter.join()
        if process.poll() is None:
            process.kill()
    if returncode != 0:
        raise subprocess.CalledProcessError(returncode, list(command))
    say(f"  installed {what}: {fetched} packages fetched in {time.monotonic() - started:.0f} s")
