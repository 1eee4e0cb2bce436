"""template.yaml, checked statically: SAM can transform it, and IAM stays least-privilege."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode
from samtranslator.translator.transform import transform

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = REPO_ROOT / "template.yaml"

PRIVATE_KEYS = "SigningKeysSecret"
PUBLIC_KEYS = "SigningPublicKeysSecret"
HASHING_KEY = "HashingKeySecret"
APPLE_KEY = "AppleSignInSecretArn"  # a secret you create (a parameter): the Sign in with Apple key
# What each function may touch: table logical ids (read or crud) and the secrets it may read.
# Only the functions that sign access tokens read the private keys; the verifiers read the public ones.
EXPECTED_ACCESS: dict[str, tuple[set[str], set[str], set[str]]] = {
    # function: (crud tables, read-only tables, secrets read)
    "HealthFunction": (set(), set(), set()),
    "JwksFunction": (set(), set(), {PUBLIC_KEYS}),
    "RegisterFunction": (
        {"UsersTable", "IdentitiesTable", "RateLimitsTable", "CodesTable", "SessionsTable"},
        set(),
        {PRIVATE_KEYS, HASHING_KEY},
    ),
    "LoginFunction": (
        {"UsersTable", "SessionsTable", "RateLimitsTable"},
        {"IdentitiesTable"},
        {PRIVATE_KEYS, HASHING_KEY},
    ),
    "GoogleSignInFunction": (
        {"UsersTable", "IdentitiesTable", "SessionsTable", "RateLimitsTable"},
        set(),
        {PRIVATE_KEYS},
    ),
    "AppleSignInFunction": (
        {"UsersTable", "IdentitiesTable", "SessionsTable", "RateLimitsTable"},
        set(),
        {PRIVATE_KEYS, APPLE_KEY},
    ),
    "RefreshFunction": ({"SessionsTable"}, {"UsersTable"}, {PRIVATE_KEYS}),
    "AuthorizerFunction": (set(), {"SessionsTable", "UsersTable"}, {PUBLIC_KEYS}),
    "ValidateFunction": (set(), {"UsersTable"}, set()),
    "LogoutFunction": ({"SessionsTable"}, set(), set()),
    "GetMeFunction": (set(), {"UsersTable"}, set()),
    "UpdateMeFunction": ({"UsersTable"}, set(), set()),
    "ChangePasswordFunction": ({"UsersTable", "SessionsTable", "RateLimitsTable"}, set(), set()),
    "DeleteMeFunction": (
        {"UsersTable", "IdentitiesTable", "SessionsTable", "RateLimitsTable"},
        set(),
        {APPLE_KEY},
    ),
    "VerifyEmailFunction": ({"UsersTable", "CodesTable"}, set(), {HASHING_KEY}),
    "ResendVerificationFunction": ({"RateLimitsTable", "CodesTable"}, {"UsersTable"}, {HASHING_KEY}),
    "ForgotPasswordFunction": (
        {"RateLimitsTable", "CodesTable"},
        {"UsersTable", "IdentitiesTable"},
        {HASHING_KEY},
    ),
    "ResetPasswordFunction": (
        {"UsersTable", "CodesTable", "RateLimitsTable", "SessionsTable"},
        set(),
        {HASHING_KEY},
    ),
}
# The functions that may send email, and nothing else may.
SENDERS = {"RegisterFunction", "ResendVerificationFunction", "ForgotPasswordFunction"}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    document, matches = decode(str(TEMPLATE))
    assert not matches, matches
    return document


@pytest.fixture(scope="module")
def transformed(template, monkeypatch_module) -> dict[str, Any]:
    packaged = copy.deepcopy(template)
    packaged["Globals"]["Function"]["CodeUri"] = "s3://bucket/backend.zip"  # what `sam package` writes

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    return transform(packaged, {}, NoManagedPolicies())


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # samtranslator resolves pseudo parameters
        yield patch


def _refs(node: Any) -> set[str]:
    """Logical ids a policy Resource points at: Ref, GetAtt X.Arn, or ${X.Arn} inside a Sub."""
    if isinstance(node, dict):
        found: set[str] = set()
        if isinstance(node.get("Ref"), str):
            found.add(node["Ref"])
        if isinstance(node.get("Fn::GetAtt"), list):
            found.add(node["Fn::GetAtt"][0])
        if "Fn::Sub" in node:
            text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]
            found.update(re.findall(r"\$\{(\w+)\.Arn\}", text))
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


def _policies(role: dict[str, Any]) -> list[dict[str, Any]]:
    """A role's inline policies, a conditional one (``Fn::If``) counted as granted."""
    policies = []
    for policy in role["Properties"].get("Policies", []):
        if "Fn::If" in policy:
            policy = policy["Fn::If"][1]
        policies.append(policy)
    return policies


def _role_access(role: dict[str, Any]) -> tuple[set[str], set[str], set[str]]:
    """(tables written, tables only read, secrets read) for one function's role."""
    written, touched, secrets = set(), set(), set()
    for policy in _policies(role):
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            refs = _refs(statement["Resource"])
            assert statement["Resource"] != "*", statement
            assert not any(action.endswith(":*") for action in actions), statement
            if any(action.startswith("dynamodb:") for action in actions):
                touched.update(refs)
                if WRITE_ACTIONS.intersection(actions):
                    written.update(refs)
            assert not any(a.startswith("ses:") and a != "ses:SendEmail" for a in actions), statement
            if "secretsmanager:GetSecretValue" in actions:
                assert len(refs) == 1, statement
                secrets.update(refs)
    return written, touched - written, secrets


def test_sam_transform_succeeds_and_every_role_is_least_privilege(transformed):
    resources = transformed["Resources"]
    for function_id, expected in EXPECTED_ACCESS.items():
        role = resources[f"{function_id}Role"]
        assert role["Properties"]["ManagedPolicyArns"] == [
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        ], function_id
        assert _role_access(role) == expected, function_id


def test_only_the_mailing_functions_may_send_and_only_as_the_sender(transformed):
    senders = set()
    for function_id in EXPECTED_ACCESS:
        role = transformed["Resources"][f"{function_id}Role"]
        for policy in _policies(role):
            for statement in policy["PolicyDocument"]["Statement"]:
                if "ses:SendEmail" in statement["Action"]:
                    senders.add(function_id)
                    resources = json.dumps(statement["Resource"])
                    assert ":identity/" in resources, statement
                    assert "EmailSender" in resources, statement
    assert senders == SENDERS


def test_rotation_function_may_only_rotate_the_keys_and_write_the_public_ones(transformed):
    role = transformed["Resources"]["KeyRotationFunctionRole"]
    statements = [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]
    by_secret = {tuple(_refs(s["Resource"])): set(s["Action"]) for s in statements}
    assert by_secret == {
        (PRIVATE_KEYS,): {
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue",
            "secretsmanager:PutSecretValue",
            "secretsmanager:UpdateSecretVersionStage",
        },
        (PUBLIC_KEYS,): {"secretsmanager:PutSecretValue"},
    }
    assert transformed["Resources"]["KeyRotationPermission"]["Properties"]["Principal"] == (
        "secretsmanager.amazonaws.com"
    )


def test_every_handler_module_exists_under_the_code_uri(template):
    code_uri = REPO_ROOT / template["Globals"]["Function"]["CodeUri"]
    functions = {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}
    assert set(functions) == {*EXPECTED_ACCESS, "KeyRotationFunction"}
    for function_id, resource in functions.items():
        module, _, attribute = resource["Properties"]["Handler"].rpartition(".")
        source = code_uri / (module.replace(".", "/") + ".py")
        assert source.is_file(), function_id
        assert f"def {attribute}(" in source.read_text(), function_id


def test_tables_use_epoch_second_ttls_and_no_email_gsi(template):
    resources = template["Resources"]
    assert "GlobalSecondaryIndexes" not in resources["UsersTable"]["Properties"]  # claims, not EmailIndex
    sessions = resources["SessionsTable"]["Properties"]
    assert [index["IndexName"] for index in sessions["GlobalSecondaryIndexes"]] == ["UserIdIndex"]
    for table in ("SessionsTable", "RateLimitsTable"):
        assert resources[table]["Properties"]["TimeToLiveSpecification"] == {
            "AttributeName": "expiresAt",
            "Enabled": True,
        }


def test_authorizer_is_never_cached_and_secret_holds_no_key_material(template):
    resources = template["Resources"]
    authorizer = resources["AuthApi"]["Properties"]["Auth"]["Authorizers"]["BearerAuthorizer"]
    assert authorizer["Identity"]["ReauthorizeEvery"] == 0
    assert authorizer["FunctionPayloadType"] == "TOKEN"
    assert json.loads(resources["SigningKeysSecret"]["Properties"]["SecretString"]) == {"keys": []}
    assert json.loads(resources["SigningPublicKeysSecret"]["Properties"]["SecretString"]) == {"keys": []}
    assert "default-secret" not in TEMPLATE.read_text()


def test_the_local_stage_cannot_be_deployed(template):
    # Functions accept development settings only with STAGE=local; CloudFormation refuses that name.
    pattern = template["Parameters"]["Stage"]["AllowedPattern"]
    assert re.fullmatch(pattern, "local") is None
    for stage in ("prod", "staging", "dev", "local2", "Local"):
        assert re.fullmatch(pattern, stage), stage


def test_stage_access_logging_is_on_without_headers_or_bodies(transformed):
    stages = [r for r in transformed["Resources"].values() if r["Type"] == "AWS::ApiGateway::Stage"]
    assert len(stages) == 1
    setting = stages[0]["Properties"]["AccessLogSetting"]
    assert _refs(setting["DestinationArn"]) == {"ApiAccessLogs"}
    fields = json.loads(setting["Format"])
    assert {"requestId", "sourceIp", "status", "resourcePath", "authorizerError"} <= set(fields)
    assert not [v for v in fields.values() if "header" in v.lower() or "body" in v.lower()]
