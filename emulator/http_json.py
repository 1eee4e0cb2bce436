"""JSON over HTTP with the standard library: the commands that talk to a running emulator (its
AWS endpoint's ``/_emulator/`` routes, the identity provider) and the repository's scripts.

No dependency, so that a command's start-up stays cheap and a script runs on a bare Python.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class Unreachable(Exception):
    """Nothing answered over HTTP (connection refused, timeout, unknown host); the reason."""


def request_json(
    url: str, *, method: str = "GET", body: Any = None, timeout_s: float = 30.0
) -> tuple[int, Any]:
    """``(status, the answer's JSON, or None when it is not JSON)``, whatever the status.

    ``body`` is sent as JSON. ValueError for a URL that is not http(s), :class:`Unreachable`
    when no HTTP answer comes back.
    """
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{url}: expected an http(s) URL")
    headers = {"Accept": "application/json"}
    data = None if method == "GET" else b""
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 - http(s) only
            return response.status, _json_or_none(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, _json_or_none(exc.read())
    except (urllib.error.URLError, OSError) as exc:
        raise Unreachable(str(getattr(exc, "reason", exc))) from exc


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None
