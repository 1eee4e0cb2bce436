"""``Fn::ForEach`` (AWS::LanguageExtensions), checked against the examples of AWS's documentation:
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach-example-resource.html
and ...-foreach-example-outputs.html, ...-foreach-example-conditions.html."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator.errors import TemplateError
from emulator.template import load_app
from emulator.template.documents import parse_template_text
from emulator.template.foreach import expand_for_each
from emulator.template.parameters import resolve_parameters


def expand(text: str, overrides: dict[str, str] | None = None) -> dict[str, Any]:
    document = parse_template_text(text, "t.yaml")
    parameters, _ = resolve_parameters(document.get("Parameters"), overrides, "t.yaml")
    return expand_for_each(document, parameters, "t.yaml")


SNS_TOPICS = """
AWSTemplateFormatVersion: 2010-09-09
Transform: AWS::LanguageExtensions
Resources:
  'Fn::ForEach::Topics':
    - TopicName
    - [Success, Failure, Timeout, Unknown]
    - 'SnsTopic${TopicName}':
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Sub '${TopicName}.fifo'
          FifoTopic: true
"""


def test_replicates_a_resource_per_item_as_in_aws_sns_example() -> None:
    resources = expand(SNS_TOPICS)["Resources"]
    assert list(resources) == ["SnsTopicSuccess", "SnsTopicFailure", "SnsTopicTimeout", "SnsTopicUnknown"]
    assert resources["SnsTopicTimeout"] == {
        "Type": "AWS::SNS::Topic",
        "Properties": {"TopicName": {"Fn::Sub": "Timeout.fifo"}, "FifoTopic": True},
    }


COMMA_LIST = """
Transform: AWS::LanguageExtensions
Parameters:
  pRepoARNs: {Description: ARN of SSO instance, Type: CommaDelimitedList, Default: "Success,Failure"}
Resources:
  'Fn::ForEach::Topics':
    - TopicName
    - !Ref pRepoARNs
    - 'SnsTopic${TopicName}':
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Join ['.', [!Ref TopicName, fifo]]
"""


def test_collection_from_a_comma_delimited_list_parameter_with_its_override() -> None:
    assert list(expand(COMMA_LIST)["Resources"]) == ["SnsTopicSuccess", "SnsTopicFailure"]
    resources = expand(COMMA_LIST, {"pRepoARNs": "A, B,C"})["Resources"]
    assert list(resources) == ["SnsTopicA", "SnsTopicB", "SnsTopicC"]
    # Ref to the identifier is the item itself
    assert resources["SnsTopicB"]["Properties"]["TopicName"] == {"Fn::Join": [".", ["B", "fifo"]]}


def test_ampersand_drops_non_alphanumeric_characters_in_keys() -> None:
    text = """
    Transform: AWS::LanguageExtensions
    Resources:
      Fn::ForEach::Subnets:
        - CIDR
        - [10.0.2.0/24, 10.0.3.0/24]
        - Subnet&{CIDR}:
            Type: AWS::EC2::Subnet
            Properties: {CidrBlock: !Ref CIDR, Name: !Sub "net-${CIDR}"}
    """
    resources = expand(text.replace("\n    ", "\n"))["Resources"]
    assert resources["Subnet1002024"]["Properties"] == {
        "CidrBlock": "10.0.2.0/24",
        "Name": {"Fn::Sub": "net-10.0.2.0/24"},
    }
    assert "Subnet1003024" in resources


def test_nested_loops_in_outputs_as_in_aws_bucket_example() -> None:
    text = """
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Buckets:
    - Identifier
    - [A, B, C]
    - S3Bucket${Identifier}: {Type: AWS::S3::Bucket}
Outputs:
  Fn::ForEach::BucketOutputs:
    - Identifier
    - [A, B, C]
    - Fn::ForEach::GetAttLoop:
        - Property
        - [Arn, DomainName, WebsiteURL]
        - S3Bucket${Identifier}${Property}:
            Value: !GetAtt [!Sub 'S3Bucket${Identifier}', !Ref Property]
"""
    document = expand(text)
    assert list(document["Resources"]) == ["S3BucketA", "S3BucketB", "S3BucketC"]
    outputs = document["Outputs"]
    assert len(outputs) == 9
    assert outputs["S3BucketBDomainName"] == {
        "Value": {"Fn::GetAtt": [{"Fn::Sub": "S3BucketB"}, "DomainName"]}
    }


def test_loop_inside_resource_properties_and_conditions() -> None:
    text = """
Transform: AWS::LanguageExtensions
Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  Fn::ForEach::Envs:
    - E
    - [prod, dev]
    - Is${E}: !Equals [!Ref Env, !Ref E]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      Tags:
        Fn::ForEach::Tags:
          - Key
          - [team, owner]
          - ${Key}: !Sub "value-${Key}"
"""
    document = expand(text)
    assert document["Conditions"] == {
        "Isprod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "Isdev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]},
    }
    assert document["Resources"]["Table"]["Properties"]["Tags"] == {
        "team": {"Fn::Sub": "value-team"},
        "owner": {"Fn::Sub": "value-owner"},
    }


def test_a_key_produced_twice_is_an_error() -> None:
    text = """
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Topics:
    - Name
    - [a.b, ab]
    - Topic&{Name}: {Type: AWS::SNS::Topic}
"""
    with pytest.raises(TemplateError, match="'Topicab' is produced twice"):
        expand(text)


@pytest.mark.parametrize(
    ("loop", "message"),
    [
        ("[Name, [A]]", "must be a list of three"),
        ("[Name, !Ref Missing, {'T${Name}': {Type: AWS::SNS::Topic}}]", "not a parameter"),
        ("[Name, !Ref Single, {'T${Name}': {Type: AWS::SNS::Topic}}]", "not a CommaDelimitedList"),
        ("[Name, notalist, {'T${Name}': {Type: AWS::SNS::Topic}}]", "must be a list or a Ref"),
        ("[Single, [A], {'T${Single}': {Type: AWS::SNS::Topic}}]", "already a parameter"),
    ],
)
def test_malformed_loops_are_one_clear_error(loop: str, message: str) -> None:
    text = f"""
Transform: AWS::LanguageExtensions
Parameters:
  Single: {{Type: String, Default: x}}
Resources:
  Fn::ForEach::Topics: {loop}
"""
    with pytest.raises(TemplateError, match=message):
        expand(text)


def test_a_loop_without_the_transform_is_refused() -> None:
    text = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn::ForEach::Topics: [Name, [A], {'T${Name}': {Type: AWS::SNS::Topic}}]
"""
    with pytest.raises(TemplateError, match="needs the AWS::LanguageExtensions transform"):
        expand(text)


def test_load_app_serves_functions_made_by_a_loop(write_template) -> None:
    text = """
    Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
    Parameters:
      Names: {Type: CommaDelimitedList, Default: "users,orders"}
    Resources:
      Fn::ForEach::Functions:
        - Name
        - !Ref Names
        - ${Name}Function:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src
              Handler: app.handler
              Runtime: python3.12
              Environment: {Variables: {RESOURCE: !Ref Name}}
              Events:
                Get: {Type: Api, Properties: {Path: '/${Name}', Method: get}}
    """
    app = load_app(write_template(text, modules={"src/app.py": ""}), parameter_overrides={"Names": "a,b,c"})
    assert sorted(app.functions) == ["aFunction", "bFunction", "cFunction"]
    assert app.functions["bFunction"].environment == {"RESOURCE": "b"}
    assert sorted(r.path for r in app.routes) == ["/a", "/b", "/c"]


def test_the_sam_guides_example_makes_one_function_per_service() -> None:
    corpus = Path(__file__).resolve().parents[1] / "corpus" / "sam_docs_foreach"
    app = load_app(corpus / "template.yaml")
    assert {lid: spec.code_uri for lid, spec in app.functions.items()} == {
        f"{name}Function": corpus / "services" / name for name in ("Users", "Orders", "Products")
    }
