"""``make test-targets``: the one integration suite against every target it can reach, as a table.

Targets, one after the other (each is a whole stack; in parallel they would fight for the cores):

- ``embedded``: the suite starts the app itself (the emulator's pytest plugin, in its process);
- ``compose topology``: docker-compose.yml's services as loopback processes (two embedded AWS
  endpoints for dynamodb-local and localstack, serve with the api service's environment);
- ``localstack``: the same, with the real LocalStack (docker-compose.yml's version) as a process
  in its own venv, built on first use (scripts/localstack_target.py; needs Python 3.12 or 3.13,
  and the row says how to get one when there is none);
- each ``--base-url`` given (e.g. ``BASE_URL=http://localhost:3000/prod`` for a ``docker compose up``
  stack, or a deployed stage). A target that does not answer ``GET {base}/health`` is reported
  unreachable, not run. One without the emulator's ``/_emulator/health`` (a deployed stage) is run
  with ``--idp-url none``, so the tests that need the local identity provider are left out. The
  per-IP limits the suite expects are the template's defaults (what such a stack runs) unless
  ``--suite-args`` gives ``--login-ip-limit``/``--register-ip-limit``.

    python scripts/test_targets.py [--base-url URL ...] [--skip-embedded] [--skip-topology]
                                   [--skip-localstack] [--suite-args "ARGS"]

The table gives each target's start-up (until the stack answered; the embedded suite starts its
stack itself, inside the suite's time) and the suite's duration; failures are listed by test
under it. Exit status: 0 when every target that ran passed.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script: the repo's packages are importable
    sys.path.insert(0, str(REPO_ROOT))

from scripts.compose_topology import (  # noqa: E402
    SuiteResult,
    TopologyError,
    compose_topology,
    run_integration_suite,
)
from scripts.localstack_process import LocalStackError  # noqa: E402
from scripts.localstack_target import run_localstack_target  # noqa: E402
from scripts.localstack_venv import NoSuitablePython  # noqa: E402
from tests.integration.limits import suite_limit_options  # noqa: E402

FAILED_LINE = re.compile(r"^(?P<kind>FAILED|ERROR) (?P<test>\S+)")


@dataclass(frozen=True)
class TargetResult:
    target: str
    result: str  # PASS, FAIL, UNREACHABLE, ERROR
    summary: str
    seconds: float  # the suite (or the attempt, for an ERROR)
    startup_s: float | None = None  # until the stack answered, when the target starts one
    failures: tuple[str, ...] = ()  # FAILED/ERROR lines of pytest's short summary, or what went wrong


def answers(url: str, timeout_s: float = 5.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 - http(s) from the user
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _timed(target: str, run: Callable[[], SuiteResult]) -> TargetResult:
    print(f"--- {target}: running the integration suite ...", flush=True)
    started = time.perf_counter()
    try:
        suite = run()
    except (TopologyError, OSError) as exc:
        print(exc, flush=True)  # the whole story (serve's stderr tail) above the table
        lines = [line for line in str(exc).splitlines() if line.strip()]
        summary = f"{lines[0]} ... {lines[-1]}" if len(lines) > 1 else (lines or ["?"])[0]
        return TargetResult(target, "ERROR", summary[:160], time.perf_counter() - started)
    elapsed = time.perf_counter() - started
    if not suite.passed:
        print(suite.output[-4000:], flush=True)
    return TargetResult(
        target,
        "PASS" if suite.passed else "FAIL",
        suite.summary,
        elapsed,
        failures=failed_tests(suite.output),
    )


def failed_tests(output: str) -> tuple[str, ...]:
    """``FAILED``/``ERROR`` lines of pytest's short test summary (``-ra``), without the message."""
    found = (FAILED_LINE.match(line) for line in output.splitlines())
    return tuple(f"{m.group('kind')} {m.group('test')}" for m in found if m)


def run_embedded(suite_args: Sequence[str]) -> TargetResult:
    return _timed("embedded", lambda: run_integration_suite(None, *suite_args))


def run_topology(suite_args: Sequence[str]) -> TargetResult:
    startup: list[float] = []

    def run() -> SuiteResult:
        started = time.perf_counter()
        with (
            tempfile.TemporaryDirectory(prefix="compose-topology-") as scratch,
            compose_topology(Path(scratch) / "serve-stderr.log") as topology,
        ):
            startup.append(time.perf_counter() - started)
            return run_integration_suite(topology.base_url, *suite_limit_options(), *suite_args)

    result = _timed("compose topology", run)
    if not startup:
        return result
    return dataclasses.replace(result, seconds=result.seconds - startup[0], startup_s=startup[0])


def run_localstack(suite_args: Sequence[str]) -> TargetResult:
    print("--- localstack: running the integration suite ...", flush=True)
    started = time.perf_counter()
    try:
        run = run_localstack_target(suite_args)
    except NoSuitablePython as exc:
        print(exc, flush=True)
        return TargetResult("localstack", "ERROR", str(exc), 0.0)
    except (LocalStackError, TopologyError, OSError, subprocess.CalledProcessError) as exc:
        print(exc, flush=True)
        lines = [line for line in str(exc).splitlines() if line.strip()] or ["?"]
        return TargetResult("localstack", "ERROR", lines[0][:160], time.perf_counter() - started)
    if not run.suite.passed:
        print(run.suite.output[-4000:], flush=True)
        print("\n".join(["--- localstack: what the logs said went wrong", *run.diagnostics]), flush=True)
    passed = run.suite.passed and not run.problems
    summary = (
        f"{run.suite.summary}; LocalStack {run.version} (Python {run.python}) "
        f"ready in {run.localstack_startup_s:.1f} s"
    )
    return TargetResult(
        "localstack",
        "PASS" if passed else "FAIL",
        summary,
        run.suite_s,
        startup_s=run.startup_s,
        failures=(*failed_tests(run.suite.output), *run.problems),
    )


def template_limits(template: Path = REPO_ROOT / "template.yaml") -> list[str]:
    """The suite's per-IP limit options for a stack run with the template's defaults.

    A given base URL (``docker compose up``, ``make up``, a stage deployed without overrides) runs
    the template's LoginIpLimit/RegisterIpLimit, not the suite's env.json ones.
    """
    from tests.integration.limits import limit_options, template_limit_variables

    return limit_options(template_limit_variables(template))


def run_base_url(base_url: str, suite_args: Sequence[str]) -> TargetResult:
    base_url = base_url.rstrip("/")
    if not answers(f"{base_url}/health"):
        return TargetResult(base_url, "UNREACHABLE", f"GET {base_url}/health did not answer 2xx", 0.0)
    parts = urlsplit(base_url)
    extra = [] if answers(f"{parts.scheme}://{parts.netloc}/_emulator/health") else ["--idp-url", "none"]
    given = " ".join(suite_args)
    extra += [] if "-ip-limit" in given else template_limits()  # SUITE_ARGS may say otherwise
    return _timed(base_url, lambda: run_integration_suite(base_url, *extra, *suite_args))


def format_table(results: Sequence[TargetResult]) -> str:
    rows = [("target", "result", "start-up", "suite", "summary")]
    rows += [
        (
            r.target,
            r.result,
            "-" if r.startup_s is None else f"{r.startup_s:.1f} s",
            f"{r.seconds:.0f} s",
            r.summary,
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}  "
        f"{row[4]}".rstrip()
        for row in rows
    ]
    lines.insert(1, "-" * max(len(line) for line in lines))
    for r in results:
        lines += [f"{r.target}: {failure}" for failure in r.failures]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--base-url", action="append", default=[], help="a running stack, with the stage")
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument("--skip-topology", action="store_true")
    parser.add_argument("--skip-localstack", action="store_true")
    parser.add_argument("--suite-args", default="", help="extra pytest arguments, e.g. '-x -k login'")
    args = parser.parse_args(argv)
    suite_args = shlex.split(args.suite_args)

    results: list[TargetResult] = []
    if not args.skip_embedded:
        results.append(run_embedded(suite_args))
    if not args.skip_topology:
        results.append(run_topology(suite_args))
    if not args.skip_localstack:
        results.append(run_localstack(suite_args))
    for base_url in (url for given in args.base_url for url in given.split(",") if url):
        results.append(run_base_url(base_url, suite_args))
    print()
    print(format_table(results))
    return 1 if any(r.result in ("FAIL", "ERROR") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
