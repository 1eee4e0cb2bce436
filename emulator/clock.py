"""The emulator's clock: an offset added to real time, to test expiry without waiting.

``python -m emulator clock advance 15m`` (or ``POST /_emulator/clock``) moves the clock forward;
real time keeps running from there (an offset, not a frozen instant). Who follows it:

- the functions: each invocation's message carries the offset (only when it is not zero), and
  the worker shifts its own ``time.time()``, ``datetime.now()``... with time-machine
  (:mod:`emulator.lambda_runtime.bootstrap`), so PyJWT's ``exp`` checks see it too;
- the embedded AWS endpoint: its DynamoDB TTL sweep (told by :class:`emulator.aws.EmbeddedAws`,
  which sweeps at once);
- the local identity providers, whose tokens the functions check against their shifted clock;
- API Gateway's Lambda authorizer caches (``ReauthorizeEvery``) and HTTP API JWT authorizers'
  ``exp``/``nbf``/``iat`` checks (:class:`emulator.apigateway.gateway.ApiGateway`'s ``clock``).

Only the emulator has it: a deployed stack has no such route. The offset lives in serve's memory
and is back to zero when serve restarts.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

_UNITS_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
# Far enough for any token or TTL a developer would test (a refresh token lives 30 days).
MAX_OFFSET_S = 10 * 365 * 86400


class DurationError(ValueError):
    """A duration that cannot be read (the message says what is expected)."""


def parse_duration(text: str | float) -> float:
    """Seconds in ``15m``, ``90s``, ``1h30m``, ``2d``, ``1w`` or a plain number of seconds (> 0)."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = float(text)
    elif not isinstance(text, str):
        raise DurationError("expected a duration such as 15m, 90s, 1h30m, 2d or a number of seconds")
    else:
        compact = text.strip().lower().replace(" ", "")
        try:
            seconds = float(compact)
        except ValueError:
            parts = _DURATION.findall(compact)
            if not parts or "".join(number + unit for number, unit in parts) != compact:
                raise DurationError(
                    f"{text!r} is not a duration: expected e.g. 15m, 90s, 1h30m, 2d or a number of seconds"
                ) from None
            seconds = sum(float(number) * _UNITS_S[unit] for number, unit in parts)
    if not seconds > 0 or seconds == float("inf"):
        raise DurationError(f"a duration must be more than 0 seconds, got {text!r}")
    if seconds > MAX_OFFSET_S:
        raise DurationError(f"{text!r} is more than the clock's limit of 10 years")
    return seconds


def describe_offset(offset_s: float) -> str:
    """``+1h 15m 0s`` for a person (the JSON answers carry the number of seconds)."""
    if not offset_s:
        return "real time"
    whole = round(offset_s)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    parts += [f"{hours}h"] if hours or days else []
    parts += [f"{minutes}m", f"{seconds}s"]
    return "+" + " ".join(parts)


def iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class EmulatorClock:
    """Real time plus an offset that only grows until :meth:`reset`; thread-safe.

    Followers (``follow``) are told each new offset, in the thread that changed it.
    """

    def __init__(self) -> None:
        self.offset_s = 0.0  # read on the hot path without the lock (a float read is atomic)
        self._lock = threading.Lock()
        self._followers: list[Callable[[float], None]] = []

    def now(self) -> float:
        return time.time() + self.offset_s

    def monotonic(self) -> float:
        """``time.monotonic()`` plus the offset: for TTLs that the clock should age (caches)."""
        return time.monotonic() + self.offset_s

    def follow(self, follower: Callable[[float], None]) -> None:
        self._followers.append(follower)

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (> 0); returns the new offset."""
        if not seconds > 0 or seconds == float("inf"):
            raise DurationError(f"the clock only moves forward (use reset to go back), got {seconds}")
        with self._lock:
            if self.offset_s + seconds > MAX_OFFSET_S:
                raise DurationError("the clock would be more than 10 years ahead")
            self.offset_s += seconds
            offset = self.offset_s
            self._tell(offset)
        return offset

    def reset(self) -> None:
        """Back to real time."""
        with self._lock:
            self.offset_s = 0.0
            self._tell(0.0)

    def state(self) -> dict[str, object]:
        """What ``GET /_emulator/clock`` answers."""
        offset = self.offset_s
        real = time.time()
        return {
            "offsetSeconds": offset,
            "offset": describe_offset(offset),
            "now": iso(real + offset),
            "realNow": iso(real),
        }

    def _tell(self, offset: float) -> None:
        for follower in self._followers:
            follower(offset)
