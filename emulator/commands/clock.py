"""``python -m emulator clock show | advance DURATION | reset``: the running emulator's clock.

A client of serve's ``/_emulator/clock`` (:mod:`emulator.clock_routes`): ``advance 15m`` moves the
functions' time and the TTL sweep's forward by 15 minutes, ``reset`` brings them back to real time.
"""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import urlsplit

from emulator.errors import UserError
from emulator.http_json import Unreachable, request_json

DEFAULT_URL = "http://127.0.0.1:3000"
CLOCK_PATH = "/_emulator/clock"  # emulator.clock_routes.CLOCK_PATH, without importing Flask


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "clock",
        help="move the running emulator's clock forward (token expiry, TTL) or show it",
        description="Show, advance or reset the running emulator's clock: the functions' time.time(), "
        "datetime.now() and what PyJWT checks, and the embedded DynamoDB TTL sweep, follow it; real "
        "time keeps running from there. Also GET/POST /_emulator/clock on serve's port.",
    )
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--url",
        default=DEFAULT_URL,
        help=f"the running emulator (serve) URL; a stage path is fine (default: {DEFAULT_URL})",
    )
    actions = parser.add_subparsers(dest="clock_action", metavar="ACTION", required=True)
    actions.add_parser("show", parents=[where], help="the clock's offset and time")
    advance = actions.add_parser(
        "advance", parents=[where], help="move forward, e.g. 15m, 90s, 1h30m, 2d, 1w"
    )
    advance.add_argument("duration", metavar="DURATION")
    actions.add_parser("reset", parents=[where], help="back to real time")
    parser.set_defaults(func=run)


def clock_url(url: str) -> str:
    """``/_emulator/clock`` of the server at ``url`` (``http://127.0.0.1:3000/prod`` works too)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(f"--url {url!r}: expected the emulator's URL, such as {DEFAULT_URL}")
    return f"{parts.scheme}://{parts.netloc}{CLOCK_PATH}"


def run(args: argparse.Namespace) -> int:
    url = clock_url(args.url)
    body: dict[str, Any] | None = None
    if args.clock_action == "advance":
        body = {"advance": args.duration}
    elif args.clock_action == "reset":
        body = {"reset": True}
    try:
        status, answer = request_json(url, method="GET" if body is None else "POST", body=body, timeout_s=30)
    except Unreachable as exc:
        raise UserError(f"{url}: cannot reach the emulator ({exc}); is `make up` running?") from None
    if status == 400 and isinstance(answer, dict):
        raise UserError(str(answer.get("error", {}).get("message", answer)))
    if status != 200 or not isinstance(answer, dict) or "offsetSeconds" not in answer:
        raise UserError(f"{url}: HTTP {status}; is this the emulator's URL (a deployed stack has no clock)?")
    if answer["offsetSeconds"]:
        print(f"Emulator clock: {answer['now']} ({answer['offset']} ahead of real time, {answer['realNow']})")
    else:
        print(f"Emulator clock: {answer['now']} (real time)")
    return 0
