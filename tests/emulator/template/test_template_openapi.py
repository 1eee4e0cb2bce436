"""REST APIs from OpenAPI definitions: DefinitionBody (inline and AWS::Include), DefinitionUri."""

from __future__ import annotations

import pytest

from emulator.errors import TemplateError
from emulator.template import load_app
from emulator.template.model import MockIntegration
from emulator.template.openapi import function_name_in_uri, read_mock
from tests.emulator.fixtures import template


@pytest.fixture(scope="module")
def app():
    return load_app(template("openapi_app"))


def _routes(app, api_id):
    return {(r.path, r.method): r for r in app.routes if r.api_id == api_id}


def test_swagger_body_methods_any_method_and_stage_variable_uri(app):
    routes = _routes(app, "SwaggerApi")
    assert routes[("/items", "GET")].function_id == "ItemsFunction"
    assert routes[("/anything", "ANY")].function_id == "ItemsFunction"  # x-amazon-apigateway-any-method
    assert routes[("/staged", "GET")].function_id == "ItemsFunction"  # ${stageVariables.itemsFunction}
    assert ("/extra", "GET") not in routes  # an event is not added to the API's own body (as on AWS)


def test_mock_integration_answers_its_selected_integration_response(app):
    mock = _routes(app, "SwaggerApi")[("/mock", "GET")].mock
    assert mock == MockIntegration(status=202, headers=(("X-Mocked", "true"),), body='{"mocked": true}')


def test_authorizers_binary_types_and_gateway_responses_come_from_the_body(app):
    api = app.apis["SwaggerApi"]
    token = api.authorizers["TokenAuth"]
    assert (token.function_id, token.type, token.identity_headers, token.reauthorize_every) == (
        "AuthFunction",
        "TOKEN",
        ("Authorization",),
        0,
    )
    assert _routes(app, "SwaggerApi")[("/secured", "GET")].authorizer == "TokenAuth"
    assert api.binary_media_types == ("image/gif", "image/png")  # the body's, then BinaryMediaTypes
    assert api.gateway_responses["DEFAULT_4XX"].headers == {"X-Gateway": "yes"}


def test_what_cannot_run_is_a_warning_and_a_failing_method(app):
    routes = _routes(app, "SwaggerApi")
    assert "NoSuchFunction" in routes[("/missing", "GET")].failure
    assert "aws integrations are not emulated" in routes[("/mapped", "POST")].failure
    assert routes[("/pool", "GET")].authorizer is None  # Cognito: served without authorization
    warnings = "\n".join(app.notes.warnings())
    assert "ItemsFunction.NotInTheBody (GET /extra on SwaggerApi)" in warnings
    assert "SwaggerApi GET /pool (Pool)" in warnings
    assert "SwaggerApi GET /missing" in warnings


def test_included_openapi3_merged_with_events_and_the_default_authorizer(app):
    routes = _routes(app, "IncludedApi")
    assert set(routes) == {("/orders/{id}", "GET"), ("/merged", "POST"), ("/public", "GET")}
    assert routes[("/orders/{id}", "GET")].authorizer == "HeaderAuth"  # DefaultAuthorizer on the body too
    assert routes[("/merged", "POST")].function_id == "ItemsFunction"  # MergeDefinitions: the event's
    assert routes[("/public", "GET")].authorizer is None  # Auth: {Authorizer: NONE}


def test_definition_uri_is_read_from_the_local_file(app):
    assert _routes(app, "UriApi")[("/uri/{proxy+}", "ANY")].function_id == "ItemsFunction"


@pytest.mark.parametrize(
    ("uri", "name"),
    [
        (
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:F/invocations",
            "F",
        ),
        (
            "arn:aws:apigateway:r:lambda:path/2015-03-31/functions/arn:aws:lambda:r:1:function:F:live/invocations",
            "F",
        ),
        ("arn:aws:lambda:r:1:function:F", "F"),
        ("https://example.com/x", None),
    ],
)
def test_function_name_in_an_integration_uri(uri, name):
    assert function_name_in_uri(uri) == name


def test_a_mock_without_a_matching_response_is_a_failure():
    assert "no integration response matches status 200" in read_mock({"responses": {"4\\d{2}": {}}})


def test_an_include_of_an_s3_location_is_an_error_naming_it(write_template):
    text = """
    Resources:
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: v1
          DefinitionBody:
            Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://bucket/api.yaml}}
    """
    with pytest.raises(TemplateError, match=r"Location s3://bucket/api\.yaml is not a local file"):
        load_app(write_template(text))
