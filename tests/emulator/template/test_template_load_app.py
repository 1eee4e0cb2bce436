from __future__ import annotations

from pathlib import Path

import pytest

from emulator.template import load_app, validate_app
from emulator.template.model import IMPLICIT_API_ID, CorsConfig, ThrottleSettings


@pytest.fixture
def basic(fixtures_dir: Path):
    return load_app(fixtures_dir / "basic" / "template.yaml")


def test_globals_merge_environment_key_by_key_and_override_scalars(basic, fixtures_dir):
    api_fn = basic.functions["ApiFunction"]
    assert api_fn.function_name == "local-api"  # FunctionName: !Sub "${AWS::StackName}-api"
    assert api_fn.handler == "handlers.api.handler"
    assert api_fn.runtime == "python3.12"
    assert api_fn.code_uri == (fixtures_dir / "basic" / "src").resolve()
    assert (api_fn.timeout, api_fn.memory_size, api_fn.architectures) == (10.0, 256, ("arm64",))
    assert api_fn.reserved_concurrency == 4
    env = api_fn.environment
    assert env["USERS_TABLE"] == "local-users-dev"  # from Globals
    assert env["LOG_LEVEL"] == "DEBUG"  # Globals, via FindInMap
    assert env["STAGE"] == "overridden-by-function"  # the function wins on a conflict
    auth_fn = basic.functions["AuthorizerFunction"]
    assert auth_fn.function_name == "AuthorizerFunction"
    assert auth_fn.timeout == 3.0
    assert auth_fn.environment == {"USERS_TABLE": "local-users-dev", "LOG_LEVEL": "DEBUG", "STAGE": "dev"}


def test_intrinsics_in_function_environment(basic):
    env = basic.functions["ApiFunction"].environment
    assert env["SECRET_ARN"] == (
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:local-SigningKeySecret-AbCdEf"
    )
    assert env["TOKEN_TTL"] == "900"
    assert env["ORIGINS"] == "https://a.example,https://b.example"
    assert env["FIRST_ORIGIN"] == "https://a.example"
    assert env["SECOND_ORIGIN"] == "https://b.example"
    assert env["MODE"] == "development"
    assert "EXTRA" not in env  # !If [IsProd, ..., !Ref AWS::NoValue]
    assert env["LONG"] == "long"
    assert env["FLAG"] == "true"
    assert env["LITERAL"] == "${NotAVariable}-us-east-1-123456789012-aws"
    assert env["AUTH_ARN"] == "arn:aws:lambda:us-east-1:123456789012:function:AuthorizerFunction"
    assert env["TABLE_ARN"] == "arn:aws:dynamodb:us-east-1:123456789012:table/local-users-dev"
    assert env["ROLE_ARN"] == "arn:aws:iam::123456789012:role/local-ApiFunctionRole"
    assert env["API_URL"] == "https://ServerlessRestApi.execute-api.us-east-1.amazonaws.com/Prod"
    assert env["ENCODED"] == "aGVsbG8="
    assert env["IMPORTED"] == "shared-vpc-id"


def test_implicit_api_takes_globals_api(basic):
    assert set(basic.apis) == {IMPLICIT_API_ID}
    api = basic.apis[IMPLICIT_API_ID]
    assert api.stage_name == "Prod"
    assert api.cors == CorsConfig(allow_origin="*")
    assert api.binary_media_types == ("image/png", "application/octet-stream")
    assert api.stage_variables is None
    assert api.throttling == (ThrottleSettings(rate_limit=50.0, burst_limit=100),)
    assert api.default_authorizer == "TokenAuth"
    token = api.authorizers["TokenAuth"]
    assert (token.function_id, token.type, token.identity_headers) == (
        "AuthorizerFunction",
        "TOKEN",
        ("Authorization",),
    )
    assert (token.validation_expression, token.reauthorize_every) == ("^Bearer .+$", 0)


def test_routes_only_api_events_with_default_authorizer_and_none(basic):
    routes = {(r.path, r.method): r for r in basic.routes}
    assert set(routes) == {("/health", "GET"), ("/users/{id}", "ANY"), ("/{proxy+}", "GET")}  # SQS ignored
    assert routes[("/health", "GET")].authorizer is None  # Auth: {Authorizer: NONE}
    assert routes[("/users/{id}", "ANY")].authorizer == "TokenAuth"  # DefaultAuthorizer
    assert {r.function_id for r in basic.routes} == {"ApiFunction"}
    assert routes[("/health", "GET")].event_name == "Health"


def test_other_resources_with_physical_names(basic):
    assert "ProdOnlyTable" not in basic.resources  # Condition: IsProd is false
    users = basic.resources["UsersTable"]
    assert users.physical_name == "local-users-dev"
    assert users.properties["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert basic.resources["SessionsTable"].physical_name == "local-SessionsTable"
    secret = basic.resources["SigningKeySecret"]
    assert secret.physical_name.endswith(":secret:local-SigningKeySecret-AbCdEf")
    assert secret.properties["Description"] == "Signing key for local in us-east-1"
    rotation = basic.resources["SigningKeyRotation"]
    assert rotation.properties["SecretId"] == secret.physical_name
    assert rotation.properties["RotationLambdaARN"].endswith(":function:RotationFunction")
    assert [
        r.logical_id for r in basic.resources_of_type("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
    ] == [
        "UsersTable",
        "SessionsTable",
    ]
    assert basic.parameters == {
        "Env": "dev",
        "TokenTtl": "900",
        "Origins": "https://a.example,https://b.example",
        "GoogleJwksUrl": "https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com",
    }


def test_parameter_overrides_stack_name_region_and_conditions(fixtures_dir):
    app = load_app(
        fixtures_dir / "basic" / "template.yaml",
        parameter_overrides={"Env": "prod", "TokenTtl": "60", "Undeclared": "ignored"},
        region="eu-west-2",
        account_id="999999999999",
        stack_name="demo",
    )
    env = app.functions["ApiFunction"].environment
    assert (env["MODE"], env["EXTRA"], env["LONG"], env["LOG_LEVEL"]) == (
        "production",
        "yes-prod",
        "long",
        "INFO",
    )
    assert env["TABLE_ARN"] == "arn:aws:dynamodb:eu-west-2:999999999999:table/demo-users-prod"
    assert app.functions["ApiFunction"].function_name == "demo-api"
    assert app.resources["ProdOnlyTable"].physical_name == "demo-ProdOnlyTable"
    assert (app.stack_name, app.region, app.account_id) == ("demo", "eu-west-2", "999999999999")


def test_explicit_api(fixtures_dir):
    app = load_app(fixtures_dir / "explicit_api" / "template.yaml")
    assert set(app.apis) == {"MyApi"}  # no implicit API: every event names MyApi
    api = app.apis["MyApi"]
    assert api.stage_name == "v1"
    assert api.stage_variables == {"backend": "blue", "level": "3"}
    assert api.cors == CorsConfig(
        allow_origin="https://app.example",
        allow_methods="GET,POST,OPTIONS",
        allow_headers="Content-Type,Authorization",
        max_age=600,
        allow_credentials=True,
    )
    assert api.binary_media_types == ("image/jpeg", "*/*")  # Globals.Api list + the API's own
    assert api.add_default_authorizer_to_cors_preflight is False
    assert api.throttling == (
        ThrottleSettings(rate_limit=5.0, burst_limit=5000, resource_path="/items", http_method="POST"),
    )
    assert set(api.authorizers) == {"RequestAuth", "TokenAuth"}  # the Cognito one is not emulated
    request = api.authorizers["RequestAuth"]
    assert request.function_id == "AuthFn"  # FunctionName custom-authorizer maps back to the logical id
    assert request.type == "REQUEST"
    assert request.identity_headers == ("X-Api-Token",)
    assert request.identity_query_strings == ("tenant",)
    assert request.identity_stage_variables == ("backend",)
    assert request.identity_context == ("identity.sourceIp",)
    assert request.reauthorize_every == 60
    routes = {(r.path, r.method): r.authorizer for r in app.routes}
    assert routes == {
        ("/items", "GET"): "RequestAuth",
        ("/items", "POST"): "TokenAuth",
        ("/public", "GET"): None,
    }
    assert {r.api_id for r in app.routes} == {"MyApi"}
    api_keys = {(r.path, r.method): r.api_key_required for r in app.routes}
    assert api_keys == {("/items", "GET"): True, ("/items", "POST"): True, ("/public", "GET"): False}
    assert app.functions["ItemsFn"].environment == {"SHARED": "global", "OWN": "mine"}
    validate_app(app)


def test_json_template(fixtures_dir):
    app = load_app(fixtures_dir / "json_template" / "template.json", parameter_overrides={"Greeting": "hey"})
    assert app.functions["HelloFn"].environment == {"GREETING": "hey, us-east-1"}
    assert [(r.path, r.method) for r in app.routes] == [("/hello", "GET")]
    validate_app(app)


def test_a_users_sam_init_template_with_other_functions(fixtures_dir):
    app = load_app(fixtures_dir / "user_app" / "template.yaml")
    validate_app(app)
    assert set(app.functions) == {"HelloWorldFunction", "OrdersFunction"}
    assert app.functions["HelloWorldFunction"].runtime == "python3.13"
    assert app.functions["OrdersFunction"].environment == {"TABLE": "local-OrdersTable"}
    assert app.functions["OrdersFunction"].memory_size == 512
    assert {(r.path, r.function_id) for r in app.routes} == {
        ("/hello", "HelloWorldFunction"),
        ("/orders/{orderId}", "OrdersFunction"),
    }
    assert app.apis[IMPLICIT_API_ID].stage_name == "Prod"


def test_gateway_responses_unquoted_with_status(write_template):
    path = write_template(
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: v1
              GatewayResponses:
                DEFAULT_4XX:
                  ResponseParameters:
                    Headers:
                      Access-Control-Allow-Origin: "'https://app.example'"
                UNAUTHORIZED:
                  StatusCode: 401
                  ResponseParameters:
                    Headers:
                      WWW-Authenticate: "'Bearer'"
                  ResponseTemplates:
                    application/json: '{"error":{"message":$context.error.messageString}}'
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              CodeUri: .
              Events:
                Get:
                  Type: Api
                  Properties: {RestApiId: !Ref Api, Path: /x, Method: get}
        """,
        modules={"app.py": ""},
    )
    from emulator.template import load_app

    responses = load_app(path).apis["Api"].gateway_responses
    assert responses["DEFAULT_4XX"].headers == {"Access-Control-Allow-Origin": "https://app.example"}
    assert responses["DEFAULT_4XX"].status_code is None
    assert responses["UNAUTHORIZED"].headers == {"WWW-Authenticate": "Bearer"}
    assert responses["UNAUTHORIZED"].status_code == 401
    assert responses["UNAUTHORIZED"].templates == {
        "application/json": '{"error":{"message":$context.error.messageString}}'
    }
    assert responses["DEFAULT_4XX"].templates == {}


def test_the_files_a_load_reads_are_its_source_files(fixtures_dir):
    """What serve watches to reload the template: the template, and each file it reads through
    ``AWS::Include`` or ``DefinitionUri`` (an edit of any of them reloads the app)."""
    corpus = Path(__file__).resolve().parents[1] / "corpus" / "ses_openapi_include"
    included = load_app(corpus / "template.yml")
    expected = ((corpus / "template.yml").resolve(), (corpus / "src" / "api.yml").resolve())
    assert included.source_files == expected
    app_dir = fixtures_dir / "openapi_app"
    by_uri = load_app(app_dir / "template.yaml")
    assert by_uri.source_files[0] == (app_dir / "template.yaml").resolve()
    assert (app_dir / "uri-api.json").resolve() in by_uri.source_files
