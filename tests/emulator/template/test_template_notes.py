"""Never silently: what a template holds that serve does not emulate is a warning naming it."""

from __future__ import annotations

import pytest

from emulator.errors import TemplateError
from emulator.template import load_app

APP = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Other:
    Type: AWS::SQS::Queue
  Custom:
    Type: Custom::Seeder
    Properties: {ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:x}
  Role:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
      Policies: [AWSLambdaBasicExecutionRole]
      FunctionUrlConfig: {AuthType: NONE}
      Events:
        Get: {Type: Api, Properties: {Path: /x, Method: get}}
        Jobs: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Domain: {DomainName: api.example.com, CertificateArn: arn:aws:acm:x}
      TracingEnabled: true
      Auth:
        Authorizers:
          Pool: {UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/x}
"""


def test_each_ignored_type_property_and_event_is_one_line_naming_the_ids(write_template):
    app = load_app(write_template(APP, modules={"src/app.py": ""}))
    assert app.notes.warnings() == [
        "AWS::SQS::Queue is not emulated: Queue, Other",
        "Custom::Seeder (a custom resource) is not run locally: Custom",
        "FunctionUrlConfig of AWS::Serverless::Function is not emulated: Fn",
        "SQS events are not emulated (never triggered locally): Fn.Jobs",
        "Domain of AWS::Serverless::Api is not emulated: Api",
        "Cognito user pool authorizers are not emulated: Api.Pool",
    ]


def test_settings_without_local_effect_are_listed_not_warned(write_template):
    app = load_app(write_template(APP, modules={"src/app.py": ""}))
    assert app.notes.without_local_effect == {
        "AWS::IAM::Role": ["Role"],
        "Serverless::Function.Policies": ["Fn"],
        "Serverless::Api.TracingEnabled": ["Api"],
    }


def test_a_plain_app_has_no_warnings(fixtures_dir):
    assert load_app(fixtures_dir / "gateway_app" / "template.yaml").notes.ignored == {}


def test_two_functions_with_one_function_name_are_refused_as_cloudformation_does(write_template):
    text = """
    Resources:
      First:
        Type: AWS::Serverless::Function
        Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12, FunctionName: same}
      Second:
        Type: AWS::Serverless::Function
        Properties: {CodeUri: src, Handler: app.handler, Runtime: python3.12, FunctionName: same}
    """
    with pytest.raises(TemplateError) as excinfo:
        load_app(write_template(text, modules={"src/app.py": ""}))
    message = str(excinfo.value)
    expected = "function Second: Resource of type 'AWS::Lambda::Function' with identifier 'same' already"
    assert expected in message
    assert "function First has the same FunctionName" in message


def test_shapes_not_emulated_yet_are_named(write_template):
    text = """
    Resources:
      Plain:
        Type: AWS::Lambda::Function
        Properties: {Handler: index.handler, Runtime: python3.12, Code: {ZipFile: "x"}, Role: r}
      Rest:
        Type: AWS::ApiGateway::RestApi
      Child:
        Type: AWS::Serverless::Application
        Properties:
          Location: {ApplicationId: "arn:aws:serverlessrepo:us-east-1:1:applications/x", SemanticVersion: 1}
      Layer:
        Type: AWS::Serverless::LayerVersion
        Properties: {ContentUri: s3://bucket/layer.zip}
    """
    warnings = load_app(write_template(text)).notes.warnings()
    # Served now (tests/emulator/template/test_raw_resources.py): no "not emulated" line for them.
    assert not any(
        line.startswith(("AWS::Lambda::Function", "AWS::ApiGateway::RestApi")) for line in warnings
    )
    assert (
        "Location of AWS::Serverless::Application that is not a local file is not served: Child" in warnings
    )
    assert (
        "ContentUri of AWS::Serverless::LayerVersion in S3 is not on this machine (layer not loaded): Layer"
        in warnings
    )
