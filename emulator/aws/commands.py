"""CLI: ``aws`` (alias ``dynamodb``), ``reset``, ``export``, ``import``, ``emails``, ``ttl-sweep``.

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

from emulator.aws.layout import DEFAULT_DATA_DIR, LOCK_FILE, add_endpoint_arguments, aws_dir
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

    reset = subparsers.add_parser(
        "reset",
        help="wipe local data (tables, items, secrets, emails)",
        description="Wipe a data dir. Refused while an endpoint runs on it (it holds the data dir's lock).",
    )
    reset.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default .localdata")
    reset.set_defaults(func=_reset)

    export = subparsers.add_parser(
        "export",
        help="write the local AWS state (tables, items, secrets, parameters, emails) to a JSON file",
        description="Write a data dir's state to FILE as portable JSON (what `import` reads): from the "
        "running endpoint if there is one, else from the data dir itself.",
    )
    export.add_argument("file", type=Path, metavar="FILE")
    _add_endpoint_options(export)
    export.set_defaults(func=_export)

    import_ = subparsers.add_parser(
        "import",
        help="make a JSON file written by `export` the data dir's state (seed data, CI fixtures)",
        description="Load FILE (written by `export`) into a data dir, checked as a client's writes "
        "would be. Refused while an endpoint runs on the data dir, or if it holds data (--replace).",
    )
    import_.add_argument("file", type=Path, metavar="FILE")
    import_.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default .localdata")
    import_.add_argument("--replace", action="store_true", help="replace the data dir's current state")
    import_.set_defaults(func=_import)

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
    from emulator.aws.persistence import DataDirInUse, exclusive_lock

    data_dir: Path = args.data_dir
    if not data_dir.exists():
        print(f"Nothing to reset: {data_dir} does not exist.")
        return 0
    looks_ours = aws_dir(data_dir).is_dir() or not any(data_dir.iterdir())
    if not looks_ours:
        raise UserError(f"{data_dir} does not look like emulator data (no aws/ inside); not wiping it")
    lock = None
    if aws_dir(data_dir).is_dir():
        # The running endpoint holds this lock for its whole life, paused (SIGSTOP) or not: a
        # health probe would take a paused one for a dead one and wipe its data under it.
        try:
            lock = exclusive_lock(aws_dir(data_dir) / LOCK_FILE, data_dir)
        except DataDirInUse as exc:
            raise UserError(
                f"an endpoint is running on {data_dir} (pid {exc.owner}); stop it (Ctrl-C on `make up`) "
                "first. Nothing was wiped"
            ) from None
    try:
        shutil.rmtree(data_dir)
    finally:
        if lock is not None:
            lock.close()
    print(f"Wiped {data_dir}: tables, items, secrets and sent emails are gone.")
    return 0


def _export(args: argparse.Namespace) -> int:
    from emulator.aws.transfer import describe, export_state, summary, write_export

    document = export_state(args.data_dir, args.endpoint)
    write_export(document, args.file)
    print(f"Exported {describe(summary(document))} to {args.file}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from emulator.aws.transfer import describe, import_state

    counts = import_state(args.file, args.data_dir, replace=args.replace)
    print(f"Imported {describe(counts)} into {args.data_dir}; `make up` (or serve) starts from them.")
    return 0


def resolve_endpoint(args: argparse.Namespace) -> str:
    if args.endpoint:
        return str(args.endpoint).rstrip("/")
    from emulator.aws.transfer import running_url

    running = running_url(args.data_dir)
    if running is None:
        raise UserError(
            f"no embedded AWS endpoint is running with data dir {args.data_dir} "
            "(start `make up` or `python -m emulator aws`, or pass --endpoint URL)"
        )
    return running


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
