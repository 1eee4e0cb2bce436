"""Plain ``AWS::Lambda::Function`` code shapes and raw API Gateway resources read by ``load_app``
(what they serve over HTTP: tests/emulator/gateway/test_raw_rest.py and test_raw_http.py)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from emulator.errors import TemplateError
from emulator.template import load_app

HANDLER = "def handler(event, context):\n    return {}\n"


def _function(code: str, runtime: str = "python3.12", extra: str = "") -> str:
    return f"""
    Resources:
      Fn:
        Type: AWS::Lambda::Function
        {extra}
        Properties:
          Handler: app.handler
          Runtime: {runtime}
          Role: arn:aws:iam::123456789012:role/r
          Code: {code}
    """


def test_code_a_local_directory(write_template) -> None:
    path = write_template(_function("./src"), modules={"src/app.py": HANDLER})
    spec = load_app(path).functions["Fn"]
    assert (spec.code_uri, spec.unavailable) == (path.parent / "src", None)


def test_code_a_local_zip(write_template, tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "app.zip", "w") as archive:
        archive.writestr("app.py", HANDLER)
    spec = load_app(write_template(_function("app.zip"))).functions["Fn"]
    assert (spec.code_uri / "app.py").read_text() == HANDLER


def test_code_s3_is_unavailable_and_says_how_to_fix_it(write_template) -> None:
    spec = load_app(write_template(_function("{S3Bucket: b, S3Key: k/app.zip}"))).functions["Fn"]
    assert spec.unavailable is not None
    assert spec.unavailable.startswith("Code is in S3 (s3://b/k/app.zip), not on this machine")


def test_code_s3_with_cdk_asset_metadata_is_the_asset_directory(write_template) -> None:
    metadata = "Metadata: {aws:asset:path: asset.abc123, aws:asset:property: Code}"
    text = _function("{S3Bucket: cdk-bucket, S3Key: abc123.zip}", extra=metadata)
    path = write_template(text, modules={"asset.abc123/app.py": HANDLER})
    spec = load_app(path).functions["Fn"]
    assert (spec.code_uri, spec.unavailable) == (path.parent / "asset.abc123", None)


def test_code_s3_with_the_serverless_package_next_to_the_template(write_template, tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "svc.zip", "w") as archive:
        archive.writestr("app.py", HANDLER)
    text = _function("{S3Bucket: {Ref: AWS::Region}, S3Key: serverless/svc/dev/1700000000000/svc.zip}")
    spec = load_app(write_template(text)).functions["Fn"]
    assert spec.unavailable is None
    assert (spec.code_uri / "app.py").is_file()


def test_a_node_function_is_unavailable_and_the_others_load(write_template) -> None:
    spec = load_app(
        write_template(_function('{ZipFile: "exports.handler = 1"}', runtime="nodejs20.x"))
    ).functions
    assert spec["Fn"].unavailable == "runtime nodejs20.x does not run here (only python3.x)"


def test_code_is_required(write_template) -> None:
    text = """
    Resources:
      Fn:
        Type: AWS::Lambda::Function
        Properties: {Handler: app.handler, Runtime: python3.12, Role: r}
    """
    with pytest.raises(TemplateError, match="function Fn: Code is required"):
        load_app(write_template(text))


def _rest(resources: str) -> str:
    return f"""
    Resources:
      Fn:
        Type: AWS::Lambda::Function
        Properties: {{Handler: index.handler, Runtime: python3.12, Role: r, Code: {{ZipFile: "x"}}}}
      Api:
        Type: AWS::ApiGateway::RestApi
        Properties: {{Name: a}}
{resources}
    """


# A GET method on the API's root; the test adds its other properties (indented 10 spaces).
ROOT_GET = """
      Get:
        Type: AWS::ApiGateway::Method
        Properties:
          RestApiId: {Ref: Api}
          ResourceId: {"Fn::GetAtt": [Api, RootResourceId]}
          HttpMethod: GET
"""


def test_a_resource_whose_parent_is_unknown_is_an_error(write_template) -> None:
    text = _rest("""
      Child:
        Type: AWS::ApiGateway::Resource
        Properties: {RestApiId: {Ref: Api}, ParentId: nowhere, PathPart: x}
      Get:
        Type: AWS::ApiGateway::Method
        Properties: {RestApiId: {Ref: Api}, ResourceId: {Ref: Child}, HttpMethod: GET}
    """)
    with pytest.raises(
        TemplateError, match="resource Child: ParentId: 'nowhere' is not a Resource of the API Api"
    ):
        load_app(write_template(text))


def test_an_api_without_a_stage_is_served_under_local_with_a_warning(write_template) -> None:
    text = _rest(
        ROOT_GET
        + """
          Integration: {Type: AWS_PROXY, Uri: {"Fn::GetAtt": [Fn, Arn]}}
    """
    )
    app = load_app(write_template(text))
    assert [(r.method, r.path, r.function_id) for r in app.routes] == [("GET", "/", "Fn")]
    assert app.apis["Api"].stage_name == "local"
    assert any(w.startswith("REST APIs without a Stage") for w in app.notes.warnings())


def test_the_deployments_stage_name_is_the_stage(write_template) -> None:
    text = _rest("""
      Deployment:
        Type: AWS::ApiGateway::Deployment
        Properties: {RestApiId: {Ref: Api}, StageName: dev, StageDescription: {Variables: {a: b}}}
    """)
    api = load_app(write_template(text)).apis["Api"]
    assert (api.stage_name, api.stage_variables) == ("dev", {"a": "b"})


def test_a_rest_api_body_is_its_definition(write_template) -> None:
    body = {
        "swagger": "2.0",
        "paths": {
            "/from-body": {
                "get": {
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy",
                        "uri": {"Fn::GetAtt": ["Fn", "Arn"]},
                    }
                }
            }
        },
    }
    text = _rest(f"""
      Body:
        Type: AWS::ApiGateway::RestApi
        Properties: {{Body: {json.dumps(body)}}}
    """)
    app = load_app(write_template(text))
    assert [(r.api_id, r.path) for r in app.routes] == [("Body", "/from-body")]


def test_an_http_lambda_integration_needs_a_payload_format_version(write_template) -> None:
    text = """
    Resources:
      Api:
        Type: AWS::ApiGatewayV2::Api
        Properties: {ProtocolType: HTTP}
      Integration:
        Type: AWS::ApiGatewayV2::Integration
        Properties: {ApiId: {Ref: Api}, IntegrationType: AWS_PROXY, IntegrationUri: x}
    """
    with pytest.raises(TemplateError, match="resource Integration: PayloadFormatVersion is required"):
        load_app(write_template(text))


def test_an_http_api_quick_create(write_template) -> None:
    text = """
    Resources:
      Fn:
        Type: AWS::Lambda::Function
        Properties: {Handler: index.handler, Runtime: python3.12, Role: r, Code: {ZipFile: "x"}}
      Api:
        Type: AWS::ApiGatewayV2::Api
        Properties: {ProtocolType: HTTP, Target: {"Fn::GetAtt": [Fn, Arn]}}
    """
    app = load_app(write_template(text))
    assert [(r.method, r.path, r.payload_format) for r in app.routes] == [("ANY", "$default", "2.0")]
    assert app.http_apis["Api"].stage_name == "$default"
    assert app.notes.warnings() == []


def test_a_method_s_api_key_the_stage_s_throttling_and_what_is_not_emulated(write_template) -> None:
    text = _rest(
        ROOT_GET
        + """
          ApiKeyRequired: true
          RequestValidatorId: v
          Integration:
            Type: MOCK
            RequestTemplates: {application/json: '{"statusCode": 200}'}
            IntegrationResponses:
              - StatusCode: "200"
                ResponseTemplates: {application/json: '{"id": "$context.requestId"}'}
      Stage:
        Type: AWS::ApiGateway::Stage
        Properties:
          RestApiId: {Ref: Api}
          StageName: v1
          MethodSettings: [{ResourcePath: "/*", ThrottlingRateLimit: 5, ThrottlingBurstLimit: 2}]
    """
    )
    app = load_app(write_template(text))
    (route,) = app.routes
    assert (route.api_key_required, route.mock is not None) == (True, True)
    assert [(t.rate_limit, t.burst_limit) for t in app.apis["Api"].throttling] == [(5.0, 2)]
    warnings = app.notes.warnings()
    assert "RequestValidatorId of AWS::ApiGateway::Method is not emulated: Get" in warnings
    assert (
        "VTL in MOCK response templates is not evaluated (the template is sent as written): Get" in warnings
    )


def test_a_local_body_s3_location(write_template, tmp_path: Path) -> None:
    body = {
        "openapi": "3.0.1",
        "paths": {
            "/file": {
                "get": {
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy",
                        "uri": "arn:aws:lambda:us-east-1:1:function:Fn",
                    }
                }
            }
        },
    }
    (tmp_path / "api.json").write_text(json.dumps(body))
    text = _rest("""
      FromFile:
        Type: AWS::ApiGateway::RestApi
        Properties: {BodyS3Location: api.json}
    """)
    app = load_app(write_template(text))
    assert [(r.api_id, r.path, r.function_id) for r in app.routes] == [("FromFile", "/file", "Fn")]


def test_an_http_api_body_and_its_route_resources_are_merged(write_template) -> None:
    integration = {"type": "aws_proxy", "uri": {"Fn::GetAtt": ["Fn", "Arn"]}, "payloadFormatVersion": "1.0"}
    body = {
        "openapi": "3.0.1",
        "paths": {"/from-body": {"get": {"x-amazon-apigateway-integration": integration}}},
    }
    text = f"""
    Resources:
      Fn:
        Type: AWS::Lambda::Function
        Properties: {{Handler: index.handler, Runtime: python3.12, Role: r, Code: {{ZipFile: "x"}}}}
      Api:
        Type: AWS::ApiGatewayV2::Api
        Properties: {{Body: {json.dumps(body)}}}
      Integration:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          ApiId: {{Ref: Api}}
          IntegrationType: AWS_PROXY
          IntegrationUri: {{"Fn::GetAtt": [Fn, Arn]}}
          PayloadFormatVersion: "2.0"
      Route:
        Type: AWS::ApiGatewayV2::Route
        Properties:
          ApiId: {{Ref: Api}}
          RouteKey: POST /from-route
          Target: {{"Fn::Sub": "integrations/${{Integration}}"}}
      Stage:
        Type: AWS::ApiGatewayV2::Stage
        Properties: {{ApiId: {{Ref: Api}}, StageName: v2}}
    """
    app = load_app(write_template(text))
    routes = sorted((r.method, r.path, r.function_id, r.payload_format) for r in app.routes)
    assert routes == [("GET", "/from-body", "Fn", "1.0"), ("POST", "/from-route", "Fn", "2.0")]
    assert app.http_apis["Api"].stage_name == "v2"


def test_a_plain_function_s_layers_and_a_cdk_layer_asset(write_template) -> None:
    text = """
    Resources:
      Layer:
        Type: AWS::Lambda::LayerVersion
        Metadata: {aws:asset:path: asset.layer1, aws:asset:property: Content}
        Properties: {Content: {S3Bucket: cdk-assets, S3Key: layer1.zip}, CompatibleRuntimes: [python3.12]}
      Fn:
        Type: AWS::Lambda::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Role: r
          Code: src
          Layers: [{Ref: Layer}, "arn:aws:lambda:us-east-1:123456789012:layer:published:3"]
    """
    path = write_template(text, modules={"src/app.py": HANDLER, "asset.layer1/python/shared.py": ""})
    app = load_app(path)
    assert app.functions["Fn"].layers == (path.parent / "asset.layer1",)
    assert any(
        w.startswith("Layers: arn:aws:lambda:us-east-1:123456789012:layer:published:3")
        for w in app.notes.warnings()
    )
