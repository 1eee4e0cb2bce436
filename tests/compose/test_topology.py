"""The compose topology, proven without Docker: the whole integration suite passes against it.

``dynamodb-local`` and ``localstack`` are each an embedded AWS endpoint in its own process; ``api``
is ``python -m emulator serve`` given exactly the api service's environment from
docker-compose.yml (service hostnames mapped to those loopback endpoints). If the compose file
names a variable the emulator or boto3 does not read, or points a service at the wrong place, the
suite fails here, or the resources turn up on the wrong stand-in.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from emulator.aws.secrets import secret_name
from emulator.template import load_app
from scripts.compose_file import REPO_ROOT
from scripts.compose_topology import RunningTopology, SuiteResult, compose_topology, run_integration_suite
from tests.integration.limits import suite_limit_options

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import compose_inspect

TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
SECRET_TYPE = "AWS::SecretsManager::Secret"


@dataclass(frozen=True)
class TopologyRun:
    topology: RunningTopology
    suite: SuiteResult
    dynamodb_local_tables: dict[str, int]
    localstack_tables: dict[str, int]
    localstack_secrets: list[str]
    dynamodb_local_secrets: list[str]


def _host(url: str) -> str:
    return urlsplit(url).netloc


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TopologyRun]:
    log_path = tmp_path_factory.mktemp("topology") / "serve-stderr.log"
    with compose_topology(log_path) as topology:
        suite = run_integration_suite(topology.base_url, *suite_limit_options())
        dynamodb_local = topology.stand_ins["dynamodb-local"]
        localstack = topology.stand_ins["localstack"]
        yield TopologyRun(
            topology=topology,
            suite=suite,
            dynamodb_local_tables=compose_inspect.dynamodb_tables(dynamodb_local),
            localstack_tables=compose_inspect.dynamodb_tables(localstack),
            localstack_secrets=compose_inspect.localstack_secrets(
                compose_inspect.localstack_session(_host(localstack))
            ),
            dynamodb_local_secrets=compose_inspect.localstack_secrets(
                compose_inspect.localstack_session(_host(dynamodb_local))
            ),
        )


def test_serve_got_only_the_compose_environment(run: TopologyRun) -> None:
    env = run.topology.environment
    assert env["AWS_ENDPOINT_URL_DYNAMODB"] == run.topology.stand_ins["dynamodb-local"]
    assert env["AWS_ENDPOINT_URL"] == run.topology.stand_ins["localstack"]
    assert run.topology.stand_ins["dynamodb-local"] != run.topology.stand_ins["localstack"]


def test_the_whole_integration_suite_passes_on_the_compose_topology(run: TopologyRun) -> None:
    assert run.suite.passed, f"{run.suite.summary}\n{run.suite.output[-6000:]}"
    assert " passed" in run.suite.summary
    assert "failed" not in run.suite.summary


def test_tables_are_created_in_dynamodb_local(run: TopologyRun) -> None:
    app = load_app(REPO_ROOT / "template.yaml")
    tables = {r.physical_name for r in app.resources.values() if r.type in TABLE_TYPES}
    assert tables
    assert tables <= set(run.dynamodb_local_tables)
    assert sum(run.dynamodb_local_tables.values()) > 0  # the suite's users and sessions went there
    assert not run.localstack_tables


def test_secrets_are_created_in_localstack(run: TopologyRun) -> None:
    # Needs serve to use AWS_ENDPOINT_URL, when given, for everything but DynamoDB (provisioning
    # and the functions), as boto3 would, instead of its own embedded endpoint.
    app = load_app(REPO_ROOT / "template.yaml")
    secrets = {secret_name(r)[0] for r in app.resources.values() if r.type == SECRET_TYPE}
    assert secrets
    assert secrets <= set(run.localstack_secrets)
    assert not run.dynamodb_local_secrets
