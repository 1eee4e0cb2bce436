"""Timestamps as the emulator's JSON shows them: ISO 8601, UTC, millisecond precision, ``Z``."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def iso_utc(epoch_s: float | None = None) -> str:
    """``2026-01-31T12:34:56.789Z`` for ``epoch_s`` (default: now)."""
    moment = datetime.fromtimestamp(time.time() if epoch_s is None else epoch_s, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
