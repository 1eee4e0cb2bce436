"""``python -m loadtests``: one headless Locust run with its report (what ``make load`` runs).

Without ``--host``, the local stack is started for the run on a free port (bcrypt cost 12 as
deployed, per-IP limits off, stage throttling raised; see loadtests/stack.py) and stopped after.
Locust's HTML report, its CSVs, the stack's log and the run's own summary (``summary.html``: each
budget's verdict, and for ``--ramp`` the stairs plotted with the knee) go to
``loadtests/reports/<UTC timestamp>/``; the console's last line is the summary's path.
The exit code is Locust's: 1 when a budget is broken (loadtests/budgets.toml), or, for
``--ramp``, when no stair stayed within them.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from loadtests.stack import REPO_ROOT, StackOptions, StackStartError, local_stack

LOADTESTS_DIR = Path(__file__).resolve().parent
REPORTS_DIR = LOADTESTS_DIR / "reports"
SUMMARY_FILE = "summary.html"


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m loadtests", description=__doc__.split("\n")[0])
    parser.add_argument("--host", help="base URL with the stage (default: start the local stack)")
    parser.add_argument("--users", "-u", type=int, default=10)
    parser.add_argument("--spawn-rate", "-r", type=float, default=1.0)
    parser.add_argument("--run-time", "-t", default="1m")
    parser.add_argument("--ramp", action="store_true", help="staircase to the knee (loadtests/shapes.py)")
    parser.add_argument("--processes", type=int, default=0, help="Locust worker processes (0: one process)")
    parser.add_argument("--bcrypt-rounds", type=int, default=12, help="local stack only")
    parser.add_argument("--access-token-ttl", type=int, default=900, help="local stack only, seconds")
    parser.add_argument("--budgets", default=str(LOADTESTS_DIR / "budgets.toml"))
    parser.add_argument(
        "--include-ramp-up",
        action="store_true",
        help="judge the whole run; by default the figures restart once every user is spawned",
    )
    parser.add_argument("--reports-dir", type=Path, default=REPORTS_DIR)
    return parser.parse_known_args(argv)  # anything else goes to Locust as is


def locust_command(
    args: argparse.Namespace, host: str, report_dir: Path, extra: list[str], *, emails_url: str = ""
) -> list[str]:
    locustfiles = "loadtests/locustfile.py" + (",loadtests/shapes.py" if args.ramp else "")
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        locustfiles,
        "--headless",
        "--host",
        host,
        "--csv",
        str(report_dir / "locust"),
        "--html",
        str(report_dir / "report.html"),
        "--summary-html",
        str(report_dir / SUMMARY_FILE),
        "--budgets",
        args.budgets,
    ]
    if not args.ramp:  # a shape decides users and duration itself
        command += ["--users", str(args.users), "--spawn-rate", str(args.spawn_rate)]
        command += ["--run-time", args.run_time]
        if not args.include_ramp_up:
            # Steady state: Locust restarts its statistics once every user is spawned, so the
            # apps' first sign-ups and the Lambda workers' cold starts while the crowd grows
            # are not what the budgets judge (--include-ramp-up judges them too).
            command += ["--reset-stats"]
    if args.processes:
        command += ["--processes", str(args.processes)]
        if not any(option.startswith(("--master-port", "--master-bind-port")) for option in extra):
            # Locust's master listens on 5557 unless told otherwise: two runs on one machine (or
            # a port already taken) would collide; a port the kernel picks now is free.
            port = str(_free_port())
            command += ["--master-port", port, "--master-bind-port", port]
    if emails_url:
        command += ["--emails-url", emails_url]  # the journeys that read a mailed code
    return command + extra


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def target(args: argparse.Namespace, report_dir: Path) -> Iterator[tuple[str, str]]:
    """(the base URL, the email catcher's URL or "" for a target without one)."""
    if args.host:
        yield args.host.rstrip("/"), ""
        return
    options = StackOptions(bcrypt_rounds=args.bcrypt_rounds, access_token_ttl_s=args.access_token_ttl)
    print(f"Starting the local stack (bcrypt cost {args.bcrypt_rounds}) ...", flush=True)
    with local_stack(report_dir, options) as stack:
        print(f"Local stack ready at {stack.base_url} (log: {report_dir / 'stack.log'})", flush=True)
        yield stack.base_url, f"{stack.root_url}/_emulator/emails"


def main(argv: list[str] | None = None) -> int:
    args, extra = parse_args(argv)
    report_dir = args.reports_dir / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report_dir.mkdir(parents=True, exist_ok=True)
    try:
        with target(args, report_dir) as (host, emails_url):
            command = locust_command(args, host, report_dir, extra, emails_url=emails_url)
            print("$ " + " ".join(command), flush=True)
            code = subprocess.call(command, cwd=REPO_ROOT)
    except StackStartError as error:
        print(f"error: the local stack did not start: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    print(f"\nLocust's report: {report_dir / 'report.html'}  CSVs: {report_dir}/locust_*.csv  exit {code}")
    summary = report_dir / SUMMARY_FILE
    # The last line: what to open. (Locust wrote it from the master's aggregated figures.)
    print(f"Summary: {summary}" if summary.is_file() else "Summary: not written (see the errors above)")
    return code


if __name__ == "__main__":
    sys.exit(main())
