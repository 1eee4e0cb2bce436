"""Waiting on a condition in a test: poll it until it holds, with a deadline (never a fixed sleep)."""

from __future__ import annotations

import time
from collections.abc import Callable


def until(condition: Callable[[], object], timeout_s: float = 60.0, interval_s: float = 0.02) -> None:
    """Return once ``condition()`` is true; fail the test if it is not within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(interval_s)
