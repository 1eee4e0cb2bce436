"""The log line for a request no REST route takes: what was asked, and the closest routes.

API Gateway answers such a request 403 ``{"message":"Missing Authentication Token"}`` (kept as
is: clients see what AWS sends), which says nothing about a typo. The developer reading the
emulator's log gets ``no route for POST /prod/auth/signin; did you mean POST /auth/login?``.
Closeness is difflib's ratio over ``METHOD /path`` (a wrong verb on a known path, a misspelt
segment), the stage prefix left out of the comparison.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

# At most this many suggestions, each at least this similar (difflib's default cutoff) and
# within TIE of the best one (a clear best match is named alone).
MAX_SUGGESTIONS = 3
CUTOFF = 0.6
TIE = 0.05


class RouteHints:
    """The REST routes of an app as ``METHOD /path`` strings, to name the closest ones."""

    def __init__(self, methods_by_path: Iterable[Mapping[str, list[str]]], stages: Iterable[str]) -> None:
        self._stages = set(stages)
        self._routes = sorted(
            {
                f"{method} {path}"
                for by_path in methods_by_path
                for path, methods in by_path.items()
                for method in methods
                if method != "OPTIONS"  # SAM's CORS preflights are nobody's typo target
            }
        )

    def _unstaged(self, path: str) -> str:
        segments = path.split("/", 2)
        if len(segments) > 1 and segments[1] in self._stages:
            return "/" + (segments[2] if len(segments) > 2 else "")
        return path

    def closest(self, method: str, path: str) -> list[str]:
        """The routes closest to ``METHOD path``, best first (none when nothing is close)."""
        asked = f"{method.upper()} {self._unstaged(path).rstrip('/') or '/'}"
        matcher = difflib.SequenceMatcher(b=asked)
        scored = []
        for route in self._routes:
            matcher.set_seq1(route)
            ratio = matcher.ratio()
            if ratio >= CUTOFF:
                scored.append((ratio, route))
        scored.sort(key=lambda pair: -pair[0])
        best = scored[0][0] if scored else 0.0
        return [route for ratio, route in scored[:MAX_SUGGESTIONS] if ratio >= best - TIE]

    def line(self, method: str, path: str) -> str:
        """``no route for METHOD path; did you mean ...?`` (or how to list the routes)."""
        closest = self.closest(method, path)
        asked = f"no route for {method} {path}"
        if closest:
            return f"{asked}; did you mean {' or '.join(closest)}?"
        return f"{asked} ({len(self._routes)} routes; `python -m emulator validate` lists them)"
