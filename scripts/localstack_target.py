"""The ``localstack`` target of ``make test-targets``: the compose stack with the real LocalStack.

docker-compose.yml's services as loopback processes, as the compose topology runs them, except
that ``localstack`` is LocalStack itself (scripts/localstack_process.py, from the venv
scripts/localstack_venv.py builds on first use), not a stand-in. ``dynamodb-local`` stays an
embedded endpoint: DynamoDB Local is a Java program LocalStack would download, which this machine
cannot. ``api`` is serve with exactly the api service's environment, so the functions and serve
reach LocalStack by ``AWS_ENDPOINT_URL`` as in a ``docker compose up``.

After the suite the stack is read the way a user reads it, ``scripts/compose_inspect.py``
(localstack-client from ``LOCALSTACK_HOST``, LocalStack's ``GET /_aws/ses``): the template's
secrets must be in LocalStack and its tables in the DynamoDB stand-in.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from emulator.aws.secrets import SECRET_TYPE, secret_name
from emulator.template import load_app
from scripts import compose_inspect
from scripts.compose_file import REPO_ROOT
from scripts.compose_topology import SuiteResult, compose_topology, run_integration_suite
from scripts.localstack_process import run_localstack
from scripts.localstack_venv import ensure_venv, python_version
from tests.integration.limits import suite_limit_options

TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
# A log line saying something went wrong: serve's and the functions' (JSON "level"), LocalStack's.
PROBLEM_LINE = re.compile(r"\b(error|warning|warn|critical|exception|traceback|timed out)\b", re.IGNORECASE)


@dataclass(frozen=True)
class LocalStackRun:
    suite: SuiteResult
    startup_s: float  # LocalStack and the api service until serve answered
    suite_s: float
    localstack_startup_s: float  # LocalStack's own, process start to "Ready."
    contents: compose_inspect.StackContents
    python: str
    version: str
    problems: list[str]  # what the stack holds that it should not, or lacks
    diagnostics: list[str]  # when the suite failed: what serve's and LocalStack's logs said went wrong


def template_resources(template: Path = REPO_ROOT / "template.yaml") -> tuple[set[str], set[str]]:
    """(table names, secret names) the template asks for."""
    app = load_app(template)
    tables = {r.physical_name for r in app.resources.values() if r.type in TABLE_TYPES}
    secrets = {secret_name(r)[0] for r in app.resources.values() if r.type == SECRET_TYPE}
    return tables, secrets


def placement_problems(
    contents: compose_inspect.StackContents, tables: set[str], secrets: set[str]
) -> list[str]:
    problems = [f"secret {name} is not in LocalStack" for name in sorted(secrets - set(contents.secrets))]
    problems += [f"table {name} is not in dynamodb-local" for name in sorted(tables - set(contents.tables))]
    if not contents.emails:
        problems.append("LocalStack's /_aws/ses lists no email although the suite mails codes")
    return problems


def problem_lines(log_path: Path, limit: int = 30) -> list[str]:
    """The last ``limit`` lines of a log that say something went wrong, each cut to 400 characters."""
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        return [f"{log_path}: {exc}"]
    return [f"{log_path.name}: {line[:400]}" for line in lines if PROBLEM_LINE.search(line)][-limit:]


def run_localstack_target(suite_args: Sequence[str]) -> LocalStackRun:
    """Build the venv if needed, start the stack, run the suite, inspect, stop. Raises
    NoSuitablePython (no Python 3.12/3.13), LocalStackError, TopologyError."""
    python = ensure_venv()
    with tempfile.TemporaryDirectory(prefix="localstack-target-") as scratch_dir:
        scratch = Path(scratch_dir)
        started = time.perf_counter()
        with (
            run_localstack(python, scratch / "localstack") as localstack,
            compose_topology(
                scratch / "serve-stderr.log", running={"localstack": localstack.endpoint_url}
            ) as topology,
        ):
            startup_s = time.perf_counter() - started
            print(
                f"    LocalStack {localstack.version} ({localstack.endpoint_url}) ready in "
                f"{localstack.startup_s:.1f} s; the stack answered in {startup_s:.1f} s",
                flush=True,
            )
            suite_started = time.perf_counter()
            suite = run_integration_suite(topology.base_url, *suite_limit_options(), *suite_args)
            suite_s = time.perf_counter() - suite_started
            contents = compose_inspect.inspect(
                topology.stand_ins["dynamodb-local"], localstack.localstack_host
            )
        # The logs go with the scratch directory: what they said is kept when the suite failed.
        diagnostics = (
            [] if suite.passed else problem_lines(topology.log_path) + problem_lines(localstack.log_path)
        )
        return LocalStackRun(
            suite=suite,
            startup_s=startup_s,
            suite_s=suite_s,
            localstack_startup_s=localstack.startup_s,
            contents=contents,
            python=python_version(),
            version=localstack.version,
            problems=placement_problems(contents, *template_resources()),
            diagnostics=diagnostics,
        )
