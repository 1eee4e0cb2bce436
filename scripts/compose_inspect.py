"""What the compose stack holds: tables in DynamoDB Local; secrets, parameters and sent emails in LocalStack.

``python -m emulator emails`` and friends read the embedded endpoint; with ``docker compose up`` the
data lives in two other services, so this asks them instead, by their own conventions:

- LocalStack is found as its tools find it (``localstack-client``: ``LOCALSTACK_HOST``, default
  ``localhost:4566``; ``AWS_ENDPOINT_URL`` wins when set), and SES messages are read from LocalStack's
  own ``GET /_aws/ses`` endpoint, where it keeps every email it "sent" (an embedded endpoint standing
  in for LocalStack is read at its ``/_emulator/emails``), listed in the shape of serve's
  ``GET /_emulator/emails``: ``{id, timestamp, from, to, cc, bcc, subject, text, html}``.
- DynamoDB Local is a plain DynamoDB endpoint (``--dynamodb-endpoint``, default http://localhost:8000).

Secret values are never printed, only names and dates.

    python scripts/compose_inspect.py [--localstack-host HOST:PORT] [--dynamodb-endpoint URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from localstack_client.config import get_service_endpoint
from localstack_client.session import Session

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script: the repo's packages are importable
    sys.path.insert(0, str(REPO_ROOT))

from emulator.aws.sent_emails import SentEmails, SentEmailsError  # noqa: E402

DEFAULT_DYNAMODB_ENDPOINT = "http://localhost:8000"
REGION = "us-east-1"
_CONFIG = Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 2})


@dataclass
class StackContents:
    tables: dict[str, int] = field(default_factory=dict)  # table -> item count (DescribeTable's)
    secrets: list[str] = field(default_factory=list)  # names
    parameters: list[str] = field(default_factory=list)  # SSM parameter names
    emails: list[dict[str, Any]] | None = None  # None: the endpoint keeps no record of sent emails


def dynamodb_tables(endpoint_url: str, region: str = REGION) -> dict[str, int]:
    # DynamoDB Local with -sharedDb accepts any credentials; boto3 needs some to sign.
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - dummy credentials for a local endpoint
        config=_CONFIG,
    )
    names: list[str] = []
    for page in client.get_paginator("list_tables").paginate():
        names.extend(page["TableNames"])
    return {name: int(client.describe_table(TableName=name)["Table"].get("ItemCount", 0)) for name in names}


def localstack_session(localstack_host: str | None = None, region: str = REGION) -> Session:
    return Session(localstack_host=localstack_host, region_name=region)


def localstack_secrets(session: Session) -> list[str]:
    client = session.client("secretsmanager", config=_CONFIG)
    names: list[str] = []
    for page in client.get_paginator("list_secrets").paginate():
        names.extend(secret["Name"] for secret in page["SecretList"])
    return sorted(names)


def localstack_parameters(session: Session) -> list[str]:
    client = session.client("ssm", config=_CONFIG)
    names: list[str] = []
    for page in client.get_paginator("describe_parameters").paginate():
        names.extend(parameter["Name"] for parameter in page["Parameters"])
    return sorted(names)


def localstack_emails(localstack_host: str | None = None) -> list[dict[str, Any]] | None:
    """The emails LocalStack "sent" (``GET /_aws/ses``), oldest first; None where the endpoint keeps none."""
    try:
        return SentEmails(str(get_service_endpoint("ses", localstack_host)), localstack_first=True).list()
    except SentEmailsError as exc:
        if exc.status == 502:  # it answers, but keeps no record of sent emails
            return None
        raise


def inspect(dynamodb_endpoint: str, localstack_host: str | None) -> StackContents:
    session = localstack_session(localstack_host)
    return StackContents(
        tables=dynamodb_tables(dynamodb_endpoint),
        secrets=localstack_secrets(session),
        parameters=localstack_parameters(session),
        emails=localstack_emails(localstack_host),
    )


def _print_text(contents: StackContents) -> None:
    print(f"DynamoDB Local: {len(contents.tables)} table(s)")
    for name, count in sorted(contents.tables.items()):
        print(f"  {name:<40} {count:>8} item(s)")
    print(f"LocalStack Secrets Manager: {len(contents.secrets)} secret(s)")
    for name in contents.secrets:
        print(f"  {name}")
    print(f"LocalStack SSM: {len(contents.parameters)} parameter(s)")
    for name in contents.parameters:
        print(f"  {name}")
    if contents.emails is None:
        print("LocalStack SES: this endpoint keeps no record of sent emails (no /_aws/ses)")
        return
    print(f"LocalStack SES: {len(contents.emails)} email(s) sent")
    for email in contents.emails:
        print(f"  {email['timestamp']}  {email['from']} -> {', '.join(email['to'])}  {email['subject']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--localstack-host", default=None, help="HOST:PORT (default: $LOCALSTACK_HOST or localhost:4566)"
    )
    parser.add_argument("--dynamodb-endpoint", default=DEFAULT_DYNAMODB_ENDPOINT)
    parser.add_argument("--json", action="store_true", help="print the contents as JSON")
    args = parser.parse_args(argv)
    try:
        contents = inspect(args.dynamodb_endpoint, args.localstack_host)
    except (OSError, BotoCoreError, ClientError, SentEmailsError) as exc:  # URLError is an OSError
        print(f"error: cannot read the compose stack: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(asdict(contents), indent=2, default=str))
    else:
        _print_text(contents)
    return 0


if __name__ == "__main__":
    sys.exit(main())
