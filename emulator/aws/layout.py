"""What the embedded AWS endpoint shares with whoever starts, finds or wipes it.

The data dir's layout, the line the endpoint prints once it serves, and its command-line
options. The endpoint's process (:mod:`.server`), its parent (:mod:`.process`), the CLI commands
(:mod:`.commands`), :mod:`.persistence` and ``serve`` all read them here, so this module imports
nothing from the package: any of them can use it without loading another (importing
:mod:`.server` would load werkzeug, for one).

Layout under ``DATA_DIR/aws/``: ``snapshot-<G>.json`` and ``journal-<G>.log`` (the state, see
:mod:`.persistence`; ``snapshot-<G>.pickle`` from emulators before the portable form, migrated at
start), ``lock`` (held by the running endpoint), ``endpoint.json`` (its URL and pid, while it
runs) and ``journal-<G>.log.damaged`` (a copy of a journal found damaged, kept for the user).
"""

from __future__ import annotations

import argparse
from pathlib import Path

# ``make up``'s data dir: the default of the commands that find or wipe a running endpoint's data.
DEFAULT_DATA_DIR = Path(".localdata")
SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX = "snapshot-", ".json"
LEGACY_SNAPSHOT_SUFFIX = ".pickle"
JOURNAL_PREFIX, JOURNAL_SUFFIX = "journal-", ".log"
DAMAGED_SUFFIX = ".damaged"
LOCK_FILE = "lock"
STATE_FILE = "endpoint.json"
# The endpoint's last start-up line on stdout, followed by its URL: parents wait for it.
READY_PREFIX = "Ready on "


def aws_dir(data_dir: Path) -> Path:
    """Where the endpoint keeps everything under a data dir."""
    return data_dir / "aws"


def state_file(data_dir: Path) -> Path:
    """``{"url": ..., "pid": ...}`` of the endpoint running on ``data_dir``, written once it serves."""
    return aws_dir(data_dir) / STATE_FILE


def has_saved_state(data_dir: Path | None) -> bool:
    """True when an endpoint started on ``data_dir`` will load data (a snapshot or a journal)."""
    if data_dir is None:
        return False
    try:
        return any(p.name.startswith((SNAPSHOT_PREFIX, JOURNAL_PREFIX)) for p in aws_dir(data_dir).iterdir())
    except OSError:
        return False


def add_endpoint_arguments(parser: argparse.ArgumentParser) -> None:
    """The endpoint's options: ``python -m emulator aws`` and ``python -m emulator.aws.server``."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    # 8000: DynamoDB Local's port, where NoSQL Workbench and most docs look for a local DynamoDB.
    parser.add_argument("--port", type=int, default=8000, help="port, 0 = any free one (default 8000)")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep data here (default: in memory)")
    parser.add_argument(
        "--ttl-sweep-interval",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="delete expired TTL items this often (default 60, 0 disables)",
    )
    parser.add_argument(
        "--region", default="us-east-1", help="region warmed up at start (every region is served)"
    )
    parser.add_argument(
        "--compact-every",
        type=int,
        default=500,
        metavar="WRITES",
        help="with --data-dir: item writes between snapshots (default 500; fewer: a shorter replay "
        "after a crash, more snapshot work)",
    )
    parser.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)
    # serve's clock offset (emulator.clock), given again to a child the watchdog restarts.
    parser.add_argument("--clock-offset", type=float, default=0.0, help=argparse.SUPPRESS)
