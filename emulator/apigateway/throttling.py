"""Stage throttling (``MethodSettings`` rate/burst): API Gateway's token bucket, 429 when empty.

A stage's ``MethodSettings`` entry applies to ``ResourcePath``/``HttpMethod`` (``/*`` and ``*``
meaning every one); the most specific entry for a method is used. Each entry is a token bucket
holding at most ``ThrottlingBurstLimit`` tokens, refilled at ``ThrottlingRateLimit`` per
second; a request that finds it empty gets 429 ``{"message":"Too Many Requests"}``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from emulator.template.model import ThrottleSettings


class TokenBucket:
    def __init__(self, rate_per_s: float, burst: int) -> None:
        self.rate = max(0.0, float(rate_per_s))
        self.capacity = max(0, int(burst))
        self._tokens = float(self.capacity)
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False


def _normalise_resource_path(path: str) -> str:
    # CloudFormation's MethodSettings escape "/" as "~1" (e.g. "/~1users~1{id}").
    decoded = path.replace("~1", "/")
    if decoded.startswith("//"):
        decoded = decoded[1:]
    return decoded.rstrip("/") or "/"


class StageThrottle:
    """The throttling rules of one stage.

    AWS applies stage limits at the method level: a ``/*`` + ``*`` entry gives every method
    (resource + verb) its own bucket with those limits, not one bucket shared by the stage.
    """

    def __init__(self, settings: Iterable[ThrottleSettings]) -> None:
        self._rules: list[tuple[str, str, ThrottleSettings]] = []
        for s in settings:
            path = "/*" if s.resource_path in ("/*", "*", "") else _normalise_resource_path(s.resource_path)
            self._rules.append((path, s.http_method.upper(), s))
        self._buckets: dict[tuple[str, str], TokenBucket | None] = {}
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self._rules)

    def _rule_for(self, resource_path: str, http_method: str) -> ThrottleSettings | None:
        best: tuple[int, ThrottleSettings] | None = None
        for path, method, settings in self._rules:
            path_ok = path == "/*" or path == resource_path
            method_ok = method in ("*", http_method)
            if path_ok and method_ok:
                score = (path != "/*") * 2 + (method != "*")
                if best is None or score > best[0]:
                    best = (score, settings)
        return best[1] if best else None

    def _bucket_for(self, resource_path: str, http_method: str) -> TokenBucket | None:
        key = (resource_path, http_method)
        try:
            return self._buckets[key]
        except KeyError:
            with self._lock:
                if key not in self._buckets:
                    rule = self._rule_for(resource_path, http_method)
                    self._buckets[key] = TokenBucket(rule.rate_limit, rule.burst_limit) if rule else None
                return self._buckets[key]

    def allow(self, resource_path: str, http_method: str) -> bool:
        bucket = self._bucket_for(resource_path, http_method)
        return bucket is None or bucket.take()
