"""``python -m emulator idp-token EMAIL``: sign in with a local identity provider of the running emulator.

``--provider google`` (the default) prints a Google/Firebase ID token from ``/_emulator/idp/token``;
``--provider apple --nonce RAW`` prints, on one line, the JSON of ``/_emulator/idp/apple/authorize``
(``identityToken``, ``authorizationCode``), what the app gets from ASAuthorizationAppleIDProvider.
Both are minted by the running emulator (not locally) so that they are signed with the keys that
the backend verifies against. The emulator is found as the other commands find it: ``--url`` (any
URL of it: ``http://127.0.0.1:3000``, the stage URL ``.../prod``), else the ``serve`` running on
``--data-dir`` (default ``.localdata``, as ``make up``), else ``http://127.0.0.1:3000``.
"""

from __future__ import annotations

import argparse
import http
import json
from pathlib import Path
from typing import Any

from emulator.aws.layout import DEFAULT_DATA_DIR
from emulator.errors import UserError
from emulator.http_json import Unreachable, request_json
from emulator.idp.blueprint import URL_PREFIX
from emulator.running_stack import find_running_stack, root_url

APPLE_URL_PREFIX = URL_PREFIX + "/apple"  # emulator.idp.apple.URL_PREFIX, without importing the provider

DEFAULT_URL = "http://127.0.0.1:3000"


# Options that only one provider takes (argparse attribute -> option, provider).
_PROVIDER_OPTIONS = {
    "name": ("--name", "google"),
    "issuer": ("--issuer", "google"),
    "unverified": ("--unverified", "google"),
    "nonce": ("--nonce", "apple"),
    "private_relay": ("--private-relay", "apple"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "idp-token",
        help="sign in as EMAIL with the running emulator's local Google or Apple provider",
        description="Google (default): mint an RS256 ID token (Firebase shape) for POST /auth/google. "
        "Apple (--provider apple --nonce RAW): print the identityToken and authorizationCode JSON for "
        "POST /auth/apple. Signed by the running emulator's local identity providers.",
    )
    parser.add_argument("email", metavar="EMAIL")
    parser.add_argument("--provider", choices=("google", "apple"), default="google", help="default: google")
    parser.add_argument(
        "--url",
        default=None,
        help="the emulator's URL, with or without the stage (default: the serve running on --data-dir, "
        f"else {DEFAULT_URL})",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help=f"find the running serve by its data dir (default: {DEFAULT_DATA_DIR}, as make up)",
    )
    parser.add_argument("--name", help="google: display name claim")
    parser.add_argument("--sub", help="override the subject (Firebase uid / Apple user id)")
    parser.add_argument("--audience", help="override aud (google: negative tests; apple: the bundle id)")
    parser.add_argument("--issuer", help="google: override iss (negative tests)")
    parser.add_argument("--expires-in", type=int, help="lifetime in seconds; negative for an expired token")
    parser.add_argument("--unverified", action="store_true", help="google: email_verified: false")
    parser.add_argument("--nonce", help="apple (required): the raw nonce; the token carries its SHA-256")
    parser.add_argument(
        "--private-relay", action="store_true", help="apple: hide the email behind a relay address"
    )
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


def apple_request_body(args: argparse.Namespace) -> dict[str, Any]:
    if not args.nonce:
        raise UserError(
            "--provider apple needs --nonce RAW (the raw nonce the app would hash into request.nonce)"
        )
    body: dict[str, Any] = {"email": args.email, "nonce": args.nonce}
    if args.private_relay:
        body["privateRelay"] = True
    for attr, field in (("audience", "audience"), ("sub", "sub"), ("expires_in", "expiresIn")):
        if getattr(args, attr) is not None:
            body[field] = getattr(args, attr)
    return body


def _check_provider_options(args: argparse.Namespace) -> None:
    for attr, (option, provider) in _PROVIDER_OPTIONS.items():
        if getattr(args, attr) not in (None, False) and args.provider != provider:
            raise UserError(f"{option} applies to --provider {provider} only")


def request_token(base_url: str, body: dict[str, Any], *, timeout_s: float = 10.0) -> str:
    url = base_url.rstrip("/") + URL_PREFIX + "/token"
    payload = _post_json(url, body, base_url=base_url, timeout_s=timeout_s)
    token = payload.get("idToken") if isinstance(payload, dict) else None
    if not isinstance(token, str):
        raise UserError(f"{url}: the answer has no idToken; is this the emulator's URL?")
    return token


def request_apple_authorization(
    base_url: str, body: dict[str, Any], *, timeout_s: float = 10.0
) -> dict[str, Any]:
    url = base_url.rstrip("/") + APPLE_URL_PREFIX + "/authorize"
    payload = _post_json(url, body, base_url=base_url, timeout_s=timeout_s)
    if not isinstance(payload, dict) or not isinstance(payload.get("identityToken"), str):
        raise UserError(f"{url}: the answer has no identityToken; is this the emulator's URL?")
    return payload


def _post_json(url: str, body: dict[str, Any], *, base_url: str, timeout_s: float) -> Any:
    if not url.startswith(("http://", "https://")):
        raise UserError(f"--url {base_url!r}: expected an http(s) URL such as {DEFAULT_URL}")
    try:
        status, payload = request_json(url, method="POST", body=body, timeout_s=timeout_s)
    except Unreachable as exc:
        raise UserError(
            f"{url}: cannot reach the emulator ({exc}); start it with `make up`, or pass the URL of a "
            "running one with --url (or its data dir with --data-dir)"
        ) from exc
    if status >= 400:
        raise UserError(f"{url}: HTTP {status}: {_error_message(status, payload)}")
    if payload is None:
        raise UserError(f"{url}: the answer is not JSON; is this the emulator's URL?")
    return payload


def _error_message(status: int, payload: Any) -> str:
    try:
        return str(payload["error"]["message"])
    except (KeyError, TypeError):
        pass
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "error"


def emulator_url(args: argparse.Namespace) -> str:
    """``http://HOST:PORT`` of the emulator to ask: ``--url``, the running stack, or the default."""
    if args.url is not None:
        try:
            return root_url(args.url)
        except ValueError as exc:
            raise UserError(f"--url: {exc}") from None
    running = find_running_stack(args.data_dir)
    return running.url if running is not None else DEFAULT_URL


def run(args: argparse.Namespace) -> int:
    _check_provider_options(args)
    url = emulator_url(args)
    if args.provider == "apple":
        print(json.dumps(request_apple_authorization(url, apple_request_body(args)), separators=(",", ":")))
    else:
        print(request_token(url, token_request_body(args)))
    return 0
