"""template.yaml through the SAM transform offline (aws-sam-translator), then cfn-lint on the result."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from deploy.lint import PLACEHOLDER_CODE, lint_template, transform
from deploy.packaged import packaged_template
from deploy.template_file import load_template
from emulator.template import load_app
from emulator.template.openapi import read_gateway_responses

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = REPO_ROOT / "template.yaml"
ROUTES = {
    ("/health", "get"),
    ("/.well-known/jwks.json", "get"),
    ("/auth/register", "post"),
    ("/auth/login", "post"),
    ("/auth/google", "post"),
    ("/auth/refresh", "post"),
    ("/auth/validate", "get"),
    ("/auth/logout", "post"),
    ("/users/me", "get"),
    ("/users/me", "patch"),
    ("/users/me", "delete"),
    ("/users/me/password", "post"),
}
PROTECTED = {("/auth/validate", "get"), ("/auth/logout", "post")} | {
    route for route in ROUTES if route[0].startswith("/users/me")
}


@pytest.fixture(scope="module")
def transformed() -> dict[str, Any]:
    return transform(packaged_template(load_template(TEMPLATE), PLACEHOLDER_CODE))


def _of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def test_transform_gives_the_expected_resources(transformed: dict[str, Any]) -> None:
    counts = Counter(resource["Type"] for resource in transformed["Resources"].values())
    assert counts["AWS::Lambda::Function"] == 19
    # one role per function (each gets only its own policies), and API Gateway's logging role
    assert counts["AWS::IAM::Role"] == 19 + 1
    assert counts["AWS::DynamoDB::Table"] == 5
    assert counts["AWS::ApiGateway::RestApi"] == 1
    assert counts["AWS::ApiGateway::Stage"] == 1
    assert counts["AWS::ApiGateway::Deployment"] == 1
    assert counts["AWS::SecretsManager::Secret"] == 3  # signing keys, their public halves, the hashing key
    assert counts["AWS::SecretsManager::RotationSchedule"] == 1
    assert not [t for t in counts if t.startswith("AWS::Serverless::")]
    assert set(transformed["Outputs"]) >= {"ApiUrl", "UsersTableName", "SessionsTableName"}


def test_functions_run_python312_arm64_from_the_uploaded_zip(transformed: dict[str, Any]) -> None:
    for logical_id, function in _of_type(transformed, "AWS::Lambda::Function").items():
        props = function["Properties"]
        assert props["Runtime"] == "python3.12", logical_id
        assert props["Architectures"] == ["arm64"], logical_id
        assert props["Code"] == {"S3Bucket": PLACEHOLDER_CODE.bucket, "S3Key": PLACEHOLDER_CODE.key}
        assert props["Handler"].startswith("auth_service.handlers."), logical_id


def test_rest_api_has_every_route_and_the_token_authorizer_on_protected_ones(
    transformed: dict[str, Any],
) -> None:
    (api,) = _of_type(transformed, "AWS::ApiGateway::RestApi").values()
    body = api["Properties"]["Body"]
    routes = {(path, method) for path, methods in body["paths"].items() for method in methods}
    assert routes >= ROUTES
    authorizer = body["securityDefinitions"]["BearerAuthorizer"]["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "token"
    assert authorizer["authorizerResultTtlInSeconds"] == 0
    for path, method in ROUTES:
        security = body["paths"][path][method].get("security", [])
        names = {name for entry in security for name in entry}
        assert ("BearerAuthorizer" in names) is ((path, method) in PROTECTED), (path, method)
    (stage,) = _of_type(transformed, "AWS::ApiGateway::Stage").values()
    (settings,) = stage["Properties"]["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRateLimit"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ApiThrottleBurstLimit"}


def test_template_lints_clean() -> None:
    assert lint_template(TEMPLATE) == []


def test_lint_flags_a_bad_runtime_and_a_ref_to_nothing(tmp_path: Path) -> None:
    # What cfn-lint >= 1.54 alone misses in a SAM template (it no longer runs the transform).
    broken = tmp_path / "template.yaml"
    broken.write_text(
        TEMPLATE.read_text()
        .replace("Runtime: python3.12", "Runtime: python3.99", 1)
        .replace("USERS_TABLE: !Ref UsersTable", "USERS_TABLE: !Ref NoSuchTable", 1)
    )
    problems = lint_template(broken)
    assert any("E3030" in p and "'python3.99'" in p for p in problems), problems
    assert any("E1020" in p and "'NoSuchTable'" in p for p in problems), problems


def test_a_sam_mistake_is_reported_as_a_failed_transform(tmp_path: Path) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text(
        TEMPLATE.read_text().replace("RestApiId: !Ref AuthApi, Path: /health", "Path: /health", 1)
    )
    broken.write_text(broken.read_text().replace("Handler: auth_service.handlers.health.handler", "", 1))
    (problem,) = lint_template(broken)
    assert problem.startswith(f"{broken}: SAM transform failed: ")
    assert "HealthFunction" in problem


def test_a_refused_bearer_token_gets_rfc6750_and_the_error_shape_on_aws_as_locally(
    transformed: dict[str, Any],
) -> None:
    """What CloudFormation deploys (SAM's own translation) is what the emulator answers with."""
    (api,) = _of_type(transformed, "AWS::ApiGateway::RestApi").values()
    deployed = api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    unauthorized = deployed["UNAUTHORIZED"]
    assert unauthorized["statusCode"] == "401"
    assert unauthorized["responseParameters"]["gatewayresponse.header.WWW-Authenticate"] == (
        "'Bearer error=\"invalid_token\"'"
    )
    assert json.loads(unauthorized["responseTemplates"]["application/json"]) == {
        "error": {"code": "unauthorized", "message": "Authentication is required."}
    }
    as_deployed = read_gateway_responses(deployed)
    local = load_app(TEMPLATE).apis["AuthApi"].gateway_responses
    assert set(as_deployed) == set(local)
    for response_type, spec in local.items():
        assert as_deployed[response_type].status_code == spec.status_code, response_type
        assert as_deployed[response_type].templates == spec.templates, response_type
        assert as_deployed[response_type].headers.get("WWW-Authenticate") == spec.headers.get(
            "WWW-Authenticate"
        ), response_type
