"""``python -m emulator idp-token EMAIL``: mint a Google sign-in ID token from the running emulator.

The token is minted by the running gateway's ``/_emulator/idp/token`` (not locally) so that it
is signed with the key that the backend verifies against.
"""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.request
from typing import Any

from emulator.errors import UserError
from emulator.idp.blueprint import URL_PREFIX

DEFAULT_URL = "http://127.0.0.1:3000"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "idp-token",
        help="print a Google/Firebase-style ID token for EMAIL from the running emulator",
        description="Mint an RS256 ID token (Firebase shape) for POST /auth/google, signed by the running "
        "emulator's local identity provider.",
    )
    parser.add_argument("email", metavar="EMAIL")
    parser.add_argument(
        "--url", default=DEFAULT_URL, help=f"the emulator's base URL (default: {DEFAULT_URL})"
    )
    parser.add_argument("--name", help="display name claim")
    parser.add_argument("--sub", help="override the subject (Firebase uid)")
    parser.add_argument("--audience", help="override aud (negative tests)")
    parser.add_argument("--issuer", help="override iss (negative tests)")
    parser.add_argument("--expires-in", type=int, help="lifetime in seconds; negative for an expired token")
    parser.add_argument("--unverified", action="store_true", help="email_verified: false")
    parser.set_defaults(func=run)


def token_request_body(args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {"email": args.email}
    if args.unverified:
        body["emailVerified"] = False
    for attr, field in (("name", "name"), ("sub", "sub"), ("audience", "audience"), ("issuer", "issuer")):
        if getattr(args, attr) is not None:
            body[field] = getattr(args, attr)
    if args.expires_in is not None:
        body["expiresIn"] = args.expires_in
    return body


def request_token(base_url: str, body: dict[str, Any], *, timeout_s: float = 10.0) -> str:
    url = base_url.rstrip("/") + URL_PREFIX + "/token"
    if not url.startswith(("http://", "https://")):
        raise UserError(f"--url {base_url!r}: expected an http(s) URL such as {DEFAULT_URL}")
    http_request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http_request, timeout=timeout_s) as response:  # noqa: S310
            payload = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise UserError(f"{url}: HTTP {exc.code}: {_error_message(exc)}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UserError(
            f"{url}: cannot reach the emulator ({reason}); is `python -m emulator serve` running?"
        ) from exc
    except ValueError as exc:
        raise UserError(f"{url}: the answer is not JSON; is this the emulator's URL?") from exc
    token = payload.get("idToken") if isinstance(payload, dict) else None
    if not isinstance(token, str):
        raise UserError(f"{url}: the answer has no idToken; is this the emulator's URL?")
    return token


def _error_message(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read())
        return str(body["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return str(exc.reason)


def run(args: argparse.Namespace) -> int:
    print(request_token(args.url, token_request_body(args)))
    return 0
