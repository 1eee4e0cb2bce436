"""The dashboard tests' serve, and where the browser tests find a browser and put their screenshots.

The browser: ``$PLAYWRIGHT_CHROMIUM_EXECUTABLE`` if set, else Debian's ``/usr/bin/chromium``
(what CI installs: Playwright's own download is not reachable there), else Playwright's own
(``playwright install chromium``, e.g. on a Mac). Screenshots of the main pages go to
:data:`IMAGES` (the README shows them).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from emulator.launcher import RunningServe, run_serve, serve_argv
from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[3]
IMAGES = ROOT / "docs" / "images"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing that reaches out to the network (CI's is closed).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    """None: Playwright's own Chromium."""
    chosen = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE")
    if chosen:
        return chosen
    return str(DEBIAN_CHROMIUM) if DEBIAN_CHROMIUM.exists() else None


@contextlib.contextmanager
def serving(app: str, scratch: Path, *options: str) -> Iterator[RunningServe]:
    """``serve`` on the fixture template ``app``, on a free port, its log in ``scratch``."""
    argv = serve_argv("--port", "0", "--template", str(template(app)), "--no-reload", *options)
    with run_serve(argv, log_path=scratch / "serve.log", cwd=ROOT) as running:
        assert running.aws_endpoint is not None
        yield running
