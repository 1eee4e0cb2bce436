"""Nested stacks with a local template: the children's functions, APIs and tables are served with
the parent's, parameters passed down, ``Fn::GetAtt Child.Outputs.X`` resolved (see nested.py)."""

from __future__ import annotations

import pytest

from emulator.errors import TemplateError
from emulator.template import apply_env_vars, load_app
from tests.emulator.fixtures import template

CONFLICT = (
    "GET /Prod/hello is also a route of ServerlessRestApi, which answers it (give the nested API another "
    "StageName to serve both): UsersApp/ServerlessRestApi"
)


def test_children_are_loaded_with_their_parameters_and_ids_prefixed() -> None:
    app = load_app(template("nested"), parameter_overrides={"Greeting": "bonjour"})
    assert list(app.functions) == ["RootFunction", "UsersApp/UsersFunction", "OrdersStack/OrdersFunction"]
    users = app.functions["UsersApp/UsersFunction"]
    assert users.function_name == "UsersApp-UsersFunction"  # unique across stacks, a valid Lambda name
    # parameters passed down: a Ref of the parent's table, a parent parameter with its override
    assert users.environment == {"WHO": "users", "TABLE": "local-Table", "GREETING": "bonjour"}
    # an output of one child passed to another, and read by the parent
    assert app.functions["OrdersStack/OrdersFunction"].environment["USERS_PATH"] == "/users"
    assert app.functions["RootFunction"].environment["USERS_FUNCTION"] == "UsersFunction"
    assert app.resources["UsersApp/UsersTable"].physical_name == "local-UsersApp-UsersTable"
    assert {(r.api_id, r.path, r.function_id) for r in app.routes} == {
        ("ServerlessRestApi", "/hello", "RootFunction"),
        ("UsersApp/ServerlessRestApi", "/users", "UsersApp/UsersFunction"),
        ("UsersApp/ServerlessRestApi", "/hello", "UsersApp/UsersFunction"),
        ("OrdersStack/OrdersApi", "/hello", "OrdersStack/OrdersFunction"),
    }
    assert app.apis["OrdersStack/OrdersApi"].stage_name == "v2"
    assert len(app.source_files) == 3


def test_a_route_shadowed_by_an_earlier_api_with_the_same_stage_is_one_warning() -> None:
    warnings = load_app(template("nested")).notes.warnings()
    assert CONFLICT in warnings
    assert not [line for line in warnings if "OrdersStack" in line]  # stage v2: no conflict


def test_a_missing_output_is_an_error_naming_it(write_template) -> None:
    text = """
    Resources:
      Child:
        Type: AWS::CloudFormation::Stack
        Properties: {TemplateURL: child.yaml}
      Topic:
        Type: AWS::SNS::Topic
        Properties: {TopicName: !GetAtt Child.Outputs.Missing}
    """
    write_template(
        "Resources:\n  Q: {Type: AWS::SQS::Queue}\nOutputs:\n  Q: {Value: !Ref Q}\n", name="child.yaml"
    )
    with pytest.raises(TemplateError, match="nested stack Child has no output 'Missing'"):
        load_app(write_template(text))


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("template.yaml", "a template nesting itself"),
        ("nowhere/template.yaml", r"nested stack Child: Location nowhere/template\.yaml: no such template"),
    ],
)
def test_a_child_template_that_cannot_be_loaded_is_an_error(
    write_template, location: str, message: str
) -> None:
    text = f"""
    Resources:
      Child:
        Type: AWS::Serverless::Application
        Properties: {{Location: {location}}}
    """
    with pytest.raises(TemplateError, match=message):
        load_app(write_template(text))


def test_env_vars_files_name_a_nested_function_by_its_path(tmp_path) -> None:
    env_vars = tmp_path / "env.json"
    env_vars.write_text('{"UsersApp/UsersFunction": {"GREETING": "from the file"}}')
    app = apply_env_vars(load_app(template("nested")), env_vars)
    assert app.functions["UsersApp/UsersFunction"].environment["GREETING"] == "from the file"
