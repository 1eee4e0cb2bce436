"""Where the dashboard's browser tests find a browser and put their screenshots.

The browser: ``$PLAYWRIGHT_CHROMIUM_EXECUTABLE`` if set, else Debian's ``/usr/bin/chromium``
(what CI installs: Playwright's own download is not reachable there), else Playwright's own
(``playwright install chromium``, e.g. on a Mac). Screenshots of the main pages go to
:data:`IMAGES` (the README shows them).
"""

from __future__ import annotations

import os
from pathlib import Path

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
