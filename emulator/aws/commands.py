"""CLI: ``aws`` (alias ``dynamodb``), ``reset``, ``emails``, ``ttl-sweep``.

Commands that talk to a running endpoint find it with ``--endpoint URL`` or from the state file
it writes into its data dir (``DATA_DIR/aws/endpoint.json``), default ``.localdata`` as for
``make up``.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

from emulator.aws.layout import DEFAULT_DATA_DIR, add_endpoint_arguments, aws_dir, state_file
from emulator.errors import UserError
from emulator.http_json import Unreachable, request_json


def register(subparsers: Any) -> None:
    aws = subparsers.add_parser(
        "aws",
        aliases=["dynamodb"],
        help="run the embedded AWS endpoint alone (DynamoDB, Secrets Manager, SSM, SES)",
        description="Run the embedded AWS endpoint alone, for the AWS CLI, NoSQL Workbench or tests. "
        "Prints its URL, then 'Ready on URL' once it answers.",
    )
    add_endpoint_arguments(aws)
    aws.set_defaults(func=_run_endpoint)

    reset = subparsers.add_parser("reset", help="wipe local data (tables, items, secrets, emails)")
    reset.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default .localdata")
    reset.set_defaults(func=_reset)

    emails = subparsers.add_parser(
        "emails",
        help="list emails sent through the embedded SES (oldest first)",
        description="List the emails sent through SES: the embedded endpoint's, or LocalStack's "
        "(--endpoint http://localhost:4566). Also GET /_emulator/emails[?to=ADDRESS] on serve's port.",
    )
    _add_endpoint_options(emails)
    emails.add_argument("--to", metavar="ADDRESS", help="only those sent to ADDRESS (To, Cc or Bcc)")
    emails.add_argument("--json", action="store_true", help="print the full emails as a JSON array")
    emails.set_defaults(func=_emails)

    sweep = subparsers.add_parser("ttl-sweep", help="delete expired DynamoDB TTL items now")
    _add_endpoint_options(sweep)
    sweep.set_defaults(func=_ttl_sweep)


def _add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", help="URL of the running endpoint (default: found in the data dir)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default .localdata")


def _run_endpoint(args: argparse.Namespace) -> int:
    from emulator.aws.server import serve

    return serve(args)


def _reset(args: argparse.Namespace) -> int:
    data_dir: Path = args.data_dir
    if not data_dir.exists():
        print(f"Nothing to reset: {data_dir} does not exist.")
        return 0
    running = _running_endpoint(data_dir)
    if running is not None:
        raise UserError(
            f"an endpoint is running on {data_dir} ({running}); stop it (Ctrl-C on `make up`) first"
        )
    looks_ours = aws_dir(data_dir).is_dir() or not any(data_dir.iterdir())
    if not looks_ours:
        raise UserError(f"{data_dir} does not look like emulator data (no aws/ inside); not wiping it")
    shutil.rmtree(data_dir)
    print(f"Wiped {data_dir}: tables, items, secrets and sent emails are gone.")
    return 0


def resolve_endpoint(args: argparse.Namespace) -> str:
    if args.endpoint:
        return str(args.endpoint).rstrip("/")
    running = _running_endpoint(args.data_dir)
    if running is None:
        raise UserError(
            f"no embedded AWS endpoint is running with data dir {args.data_dir} "
            "(start `make up` or `python -m emulator aws`, or pass --endpoint URL)"
        )
    return running


def _running_endpoint(data_dir: Path) -> str | None:
    """The URL in the data dir's state file if that endpoint answers, else None."""
    try:
        url = str(json.loads(state_file(data_dir).read_text())["url"])
    except (OSError, ValueError, KeyError):
        return None
    try:
        _http(url, "GET", "/_emulator/health", timeout=2)
    except UserError:
        return None  # a stale file left by a killed endpoint
    return url


def _http(url: str, method: str, path: str, *, timeout: float = 30) -> dict[str, Any]:
    if not url.startswith(("http://", "https://")):
        raise UserError(f"endpoint URL must start with http:// or https://, got {url}")
    try:
        status, answer = request_json(url + path, method=method, timeout_s=timeout)
    except Unreachable as exc:
        raise UserError(f"cannot reach the embedded AWS endpoint at {url}: {exc}") from None
    if status != 200 or not isinstance(answer, dict):
        raise UserError(f"the embedded AWS endpoint at {url} answered {method} {path} with HTTP {status}")
    return answer


def _emails(args: argparse.Namespace) -> int:
    from emulator.aws.emails import format_table, listing_filter
    from emulator.aws.sent_emails import SentEmails, SentEmailsError

    endpoint = resolve_endpoint(args)
    try:
        to = listing_filter({"to": [args.to]}) if args.to is not None else None
        emails = SentEmails(endpoint).list(to)
    except (SentEmailsError, ValueError) as exc:
        raise UserError(str(exc)) from None
    print(json.dumps(emails, indent=2) if args.json else format_table(emails))
    return 0


def _ttl_sweep(args: argparse.Namespace) -> int:
    deleted = _http(resolve_endpoint(args), "POST", "/_emulator/ttl/sweep")["deleted"]
    print(f"Deleted {deleted} expired item{'s' if deleted != 1 else ''}.")
    return 0
