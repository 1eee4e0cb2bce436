"""provision(): tables and secrets from the template, idempotent, on the embedded or an external endpoint."""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from emulator.aws import EmbeddedAws, provision
from emulator.aws.environment import DUMMY_ACCESS_KEY_ID
from emulator.errors import UserError
from emulator.lambda_runtime.api import InvocationError, InvocationResult
from emulator.log import AWS
from emulator.template.model import FunctionSpec, ResourceSpec, SamApp

from .helpers import client, serving

ACCOUNT = "123456789012"


def _app(resources: list[ResourceSpec], functions: list[FunctionSpec] = ()) -> SamApp:
    return SamApp(
        template_path=Path("template.yaml"),
        stack_name="local",
        region="us-east-1",
        account_id=ACCOUNT,
        parameters={},
        functions={f.logical_id: f for f in functions},
        apis={},
        routes=(),
        resources={r.logical_id: r for r in resources},
    )


def _tables(prefix: str) -> list[ResourceSpec]:
    sessions = ResourceSpec(
        "SessionsTable",
        "AWS::DynamoDB::Table",
        f"{prefix}-sessions",
        {
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": "3", "WriteCapacityUnits": 2},
            "AttributeDefinitions": [
                {"AttributeName": "sessionId", "AttributeType": "S"},
                {"AttributeName": "userId", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "sessionId", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "UserIdIndex",
                    "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                }
            ],
            "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True},
            "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
            "SSESpecification": {"SSEEnabled": True},
        },
    )
    events = ResourceSpec(
        "EventsTable",
        "AWS::DynamoDB::Table",
        f"{prefix}-events",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "kind", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "LocalSecondaryIndexes": [
                {
                    "IndexName": "ByKind",
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "kind", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        },
    )
    simple = ResourceSpec(
        "CountersTable",
        "AWS::Serverless::SimpleTable",
        f"{prefix}-counters",
        {"PrimaryKey": {"Name": "counter", "Type": "Number"}},
    )
    return [sessions, events, simple]


@pytest.fixture
def prefix() -> str:
    return f"p{uuid.uuid4().hex[:8]}"


def test_tables_are_created_as_the_template_says_and_only_once(endpoint, prefix, caplog):
    app = _app(_tables(prefix))
    caplog.set_level(logging.INFO, logger=AWS)

    provision(app, endpoint_url=endpoint)

    dynamodb = client("dynamodb", endpoint)
    sessions = dynamodb.describe_table(TableName=f"{prefix}-sessions")["Table"]
    assert sessions["KeySchema"] == [{"AttributeName": "sessionId", "KeyType": "HASH"}]
    assert sessions["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert [i["IndexName"] for i in sessions["GlobalSecondaryIndexes"]] == ["UserIdIndex"]
    ttl = dynamodb.describe_time_to_live(TableName=f"{prefix}-sessions")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}
    events = dynamodb.describe_table(TableName=f"{prefix}-events")["Table"]
    assert events["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [i["IndexName"] for i in events["LocalSecondaryIndexes"]] == ["ByKind"]
    counters = dynamodb.describe_table(TableName=f"{prefix}-counters")["Table"]
    assert counters["KeySchema"] == [{"AttributeName": "counter", "KeyType": "HASH"}]
    assert counters["AttributeDefinitions"] == [{"AttributeName": "counter", "AttributeType": "N"}]
    assert sum("Created table" in line for line in caplog.messages) == 3

    dynamodb.put_item(TableName=f"{prefix}-counters", Item={"counter": {"N": "1"}})
    caplog.clear()
    provision(app, endpoint_url=endpoint)  # second start: nothing to do

    assert caplog.messages == []
    assert dynamodb.scan(TableName=f"{prefix}-counters")["Count"] == 1  # data kept


def test_a_table_with_another_key_schema_is_reported(endpoint, prefix):
    dynamodb = client("dynamodb", endpoint)
    dynamodb.create_table(
        TableName=f"{prefix}-counters",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    app = _app([t for t in _tables(prefix) if t.logical_id == "CountersTable"])

    with pytest.raises(UserError) as raised:
        provision(app, endpoint_url=endpoint)

    message = str(raised.value)
    assert f"{prefix}-counters (CountersTable)" in message
    assert "id HASH (S)" in message
    assert "counter HASH (N)" in message


@pytest.fixture(scope="module")
def dynamodb_local() -> Iterator[str]:
    """A second endpoint standing in for DynamoDB Local / LocalStack given as --dynamodb-endpoint."""
    with EmbeddedAws(ttl_sweep_interval_s=0) as external:
        yield external.endpoint_url


def test_tables_go_to_an_external_dynamodb_endpoint_when_given(endpoint, dynamodb_local, prefix):
    provision(_app(_tables(prefix)), endpoint_url=endpoint, dynamodb_endpoint_url=dynamodb_local)

    external_tables = client("dynamodb", dynamodb_local).list_tables()["TableNames"]
    embedded_tables = client("dynamodb", endpoint).list_tables()["TableNames"]
    assert {f"{prefix}-sessions", f"{prefix}-events", f"{prefix}-counters"} <= set(external_tables)
    assert not any(name.startswith(prefix) for name in embedded_tables)


# -- secrets -------------------------------------------------------------------------------------
def _secret_resources(prefix: str) -> list[ResourceSpec]:
    return [
        ResourceSpec(
            "SigningKeysSecret",
            "AWS::SecretsManager::Secret",
            # What the template loader gives !Ref of a secret: an ARN with a 6-character suffix.
            f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{prefix}-SigningKeysSecret-AbCdEf",
            {"SecretString": '{"keys": []}'},
        ),
        ResourceSpec(
            "DbPassword",
            "AWS::SecretsManager::Secret",
            f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{prefix}/db-QwErTy",
            {
                "Name": f"{prefix}/db",
                "GenerateSecretString": {
                    "SecretStringTemplate": '{"username": "app"}',
                    "GenerateStringKey": "password",
                    "PasswordLength": 24,
                    "ExcludePunctuation": True,
                },
            },
        ),
        ResourceSpec(
            "SigningKeysRotation",
            "AWS::SecretsManager::RotationSchedule",
            f"{prefix}-rotation",
            {
                "SecretId": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{prefix}-SigningKeysSecret"
                "-AbCdEf",
                "RotationLambdaARN": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:KeyRotationFunction",
                "RotateImmediatelyOnUpdate": True,
                "RotationRules": {"AutomaticallyAfterDays": 30},
            },
        ),
    ]


ROTATION_FUNCTION = FunctionSpec(
    logical_id="KeyRotationFunction",
    function_name="KeyRotationFunction",
    handler="rotation.handler",
    runtime="python3.12",
    code_uri=Path("."),
)


class RotatingFunction:
    """Stands in for the runtime's invoke(): performs the steps the way a rotation Lambda does."""

    def __init__(self, endpoint: str, fail_at: str | None = None) -> None:
        self.secrets = client("secretsmanager", endpoint)
        self.fail_at = fail_at
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, function_id: str, event: Any) -> InvocationResult:
        self.calls.append((function_id, dict(event)))
        arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        if step == self.fail_at:
            error = InvocationError("Unhandled", "ValueError", "testSecret: the pending version holds no key")
            return InvocationResult(request_id="r", error=error)
        if step == "createSecret":
            self.secrets.put_secret_value(
                SecretId=arn,
                ClientRequestToken=token,
                SecretString='{"keys": ["k1"]}',
                VersionStages=["AWSPENDING"],
            )
        elif step == "finishSecret":
            stages = self.secrets.describe_secret(SecretId=arn)["VersionIdsToStages"]
            current = next(v for v, labels in stages.items() if "AWSCURRENT" in labels)
            self.secrets.update_secret_version_stage(
                SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
            )
        return InvocationResult(request_id="r")


def test_secrets_are_created_and_a_new_one_is_rotated_once(endpoint, prefix):
    app = _app(_secret_resources(prefix), [ROTATION_FUNCTION])
    rotation = RotatingFunction(endpoint)

    provision(app, endpoint_url=endpoint, invoke=rotation)

    secrets = client("secretsmanager", endpoint)
    signing_arn = app.resources["SigningKeysSecret"].physical_name
    # The ARN the functions get from the template (!Ref) names the secret.
    assert secrets.get_secret_value(SecretId=signing_arn)["SecretString"] == '{"keys": ["k1"]}'
    assert [(f, e["Step"]) for f, e in rotation.calls] == [
        ("KeyRotationFunction", "createSecret"),
        ("KeyRotationFunction", "setSecret"),
        ("KeyRotationFunction", "testSecret"),
        ("KeyRotationFunction", "finishSecret"),
    ]
    assert len({e["ClientRequestToken"] for _, e in rotation.calls}) == 1
    assert {e["SecretId"] for _, e in rotation.calls} == {signing_arn}
    generated = json.loads(secrets.get_secret_value(SecretId=f"{prefix}/db")["SecretString"])
    assert generated["username"] == "app"
    assert len(generated["password"]) == 24
    assert generated["password"].isalnum()

    provision(app, endpoint_url=endpoint, invoke=rotation)  # existing: no rotation

    assert len(rotation.calls) == 4
    assert json.loads(secrets.get_secret_value(SecretId=f"{prefix}/db")["SecretString"]) == generated


def test_a_new_or_changed_rotation_schedule_rotates_an_existing_secret_once(endpoint, prefix, caplog):
    # CloudFormation rotates when a RotationSchedule is created or updated (RotateImmediatelyOnUpdate),
    # not only with a new secret: e.g. a data dir from before the schedule existed, or an edited one.
    resources = _secret_resources(prefix)
    schedule = resources[-1]
    without_schedule = _app(resources[:-1], [ROTATION_FUNCTION])
    provision(without_schedule, endpoint_url=endpoint, invoke=RotatingFunction(endpoint))

    rotation = RotatingFunction(endpoint)
    caplog.set_level(logging.INFO, logger=AWS)
    provision(_app(resources, [ROTATION_FUNCTION]), endpoint_url=endpoint, invoke=rotation)
    assert [e["Step"] for _, e in rotation.calls][-1] == "finishSecret"
    assert len(rotation.calls) == 4
    assert any("new or changed rotation schedule" in line for line in caplog.messages), caplog.messages

    provision(_app(resources, [ROTATION_FUNCTION]), endpoint_url=endpoint, invoke=rotation)
    assert len(rotation.calls) == 4  # unchanged: a restart keeps its keys

    changed = dataclasses.replace(
        schedule, properties={**schedule.properties, "RotationRules": {"AutomaticallyAfterDays": 7}}
    )
    provision(_app([*resources[:-1], changed], [ROTATION_FUNCTION]), endpoint_url=endpoint, invoke=rotation)
    assert len(rotation.calls) == 8


def test_a_failing_rotation_step_is_reported_with_the_function_error(endpoint, prefix):
    app = _app(_secret_resources(prefix), [ROTATION_FUNCTION])

    with pytest.raises(
        UserError, match=r"testSecret in KeyRotationFunction: ValueError: testSecret: the pending"
    ):
        provision(app, endpoint_url=endpoint, invoke=RotatingFunction(endpoint, fail_at="testSecret"))

    # Rolled back as CloudFormation would: the next start creates and rotates the secret again.
    rotation = RotatingFunction(endpoint)
    provision(app, endpoint_url=endpoint, invoke=rotation)
    assert [e["Step"] for _, e in rotation.calls] == [
        "createSecret",
        "setSecret",
        "testSecret",
        "finishSecret",
    ]


def test_the_projects_template_provisions(dynamodb_local):
    from emulator.template import load_app

    app = load_app(Path(__file__).resolve().parents[3] / "template.yaml")
    provision(app, endpoint_url=dynamodb_local, invoke=None)

    tables = set(client("dynamodb", dynamodb_local).list_tables()["TableNames"])
    expected = {
        t.physical_name for t in app.resources_of_type("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
    }
    assert expected
    assert expected <= tables
    secrets = client("secretsmanager", dynamodb_local)
    for secret in app.resources_of_type("AWS::SecretsManager::Secret"):
        assert secrets.describe_secret(SecretId=secret.physical_name)["ARN"] == secret.physical_name


# -- the credentials provisioning signs with ------------------------------------------------------
class _Recorder(BaseHTTPRequestHandler):
    """Answers Secrets Manager's DescribeSecret (not found) and CreateSecret; records who signed."""

    signers: list[str]  # set per server below

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        authorization = self.headers.get("Authorization", "")
        self.signers.append(authorization.split("Credential=", 1)[-1].split("/", 1)[0])
        target = self.headers.get("X-Amz-Target", "")
        if target.endswith(".DescribeSecret"):
            status, body = 400, {"__type": "ResourceNotFoundException", "message": "not found"}
        else:
            status, body = 200, {"ARN": "arn:aws:secretsmanager:us-east-1:1:secret:s-AbCdEf", "Name": "s"}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    signers: list[str] = []
    handler = type("Recorder", (_Recorder,), {"signers": signers})
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as url:
        yield url, signers


@pytest.mark.parametrize(("external", "signer"), [(True, "111122223333"), (False, DUMMY_ACCESS_KEY_ID)])
def test_an_external_endpoint_is_provisioned_with_the_functions_credentials(
    recorder: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch, external: bool, signer: str
) -> None:
    # A 12-digit key is an account to LocalStack: provisioning must create the secrets in the
    # account the functions (given this process's credentials) will look in.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "111122223333")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    url, signers = recorder
    provision(
        _app([ResourceSpec("S", "AWS::SecretsManager::Secret", "s", {"SecretString": "{}"})]),
        endpoint_url=url,
        dynamodb_endpoint_url=url,
        external=external,
    )
    assert signers
    assert set(signers) == {signer}
