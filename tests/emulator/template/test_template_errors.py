"""Every unusable input is one TemplateError naming the file and the resource."""

from __future__ import annotations

import pytest

from emulator.errors import TemplateError
from emulator.template import load_app, validate_app

FUNCTION = """
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: app.handler
      Runtime: python3.12
{extra}
"""


def fn_template(extra: str = "") -> str:
    return FUNCTION.format(extra=extra)


def load_error(path, **kwargs) -> str:
    with pytest.raises(TemplateError) as excinfo:
        validate_app(load_app(path, **kwargs))
    message = str(excinfo.value)
    assert str(path) in message
    assert "\n" not in message
    return message


def test_missing_file(tmp_path):
    assert "template file not found" in load_error(tmp_path / "nope.yaml")


def test_missing_resources(write_template):
    assert "no Resources section" in load_error(write_template("Description: nothing\n"))


def test_unknown_ref_names_the_resource(write_template):
    extra = "      Environment:\n        Variables:\n          T: !Ref MissingTable\n"
    message = load_error(write_template(fn_template(extra), modules={"src/app.py": ""}))
    assert "resource Fn" in message
    assert "Ref to 'MissingTable'" in message


def test_unknown_getatt_target(write_template):
    extra = "      Environment:\n        Variables:\n          T: !GetAtt Missing.Arn\n"
    assert "Fn::GetAtt of 'Missing'" in load_error(
        write_template(fn_template(extra), modules={"src/app.py": ""})
    )


def test_bad_parameter_values(write_template):
    text = """
    Parameters:
      Env: {Type: String, AllowedValues: [dev, prod], Default: dev}
      Size: {Type: Number, Default: 1}
      Needed: {Type: String}
    Resources:
      T: {Type: AWS::SNS::Topic}
    """
    path = write_template(text)
    assert "'staging' is not one of the AllowedValues" in load_error(
        path, parameter_overrides={"Env": "staging", "Needed": "x"}
    )
    assert "'big' is not a number" in load_error(path, parameter_overrides={"Size": "big", "Needed": "x"})
    assert "parameter Needed has no Default" in load_error(path)


def test_function_without_handler_or_runtime(write_template):
    text = """
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
    """
    assert "function Fn: Handler is missing" in load_error(write_template(text))
    text = text.replace("Runtime: python3.12", "Handler: app.handler")
    assert "function Fn: Runtime is missing" in load_error(write_template(text))


def test_inline_code_must_be_text(write_template):
    text = fn_template().replace("CodeUri: src", "InlineCode: [not, code]")
    assert "function Fn: InlineCode must be a string" in load_error(write_template(text))


def test_non_python_runtime(write_template):
    path = write_template(fn_template().replace("python3.12", "nodejs20.x"), modules={"src/app.py": ""})
    assert "function Fn: runtime 'nodejs20.x' is not supported" in load_error(path)


def test_handler_module_not_found(write_template):
    path = write_template(fn_template(), modules={"src/other.py": ""})
    assert "function Fn: handler module 'app' not found" in load_error(path)


def test_code_uri_missing_directory(write_template):
    assert "CodeUri directory" in load_error(write_template(fn_template()))


def test_authorizer_function_missing(write_template):
    text = """
    Globals:
      Api:
        Auth:
          DefaultAuthorizer: A
          Authorizers:
            A:
              FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:elsewhere
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src
          Handler: app.handler
          Runtime: python3.12
          Events:
            Get: {Type: Api, Properties: {Path: /x, Method: get}}
    """
    message = load_error(write_template(text, modules={"src/app.py": ""}))
    assert "authorizer A points at function 'elsewhere'" in message


def test_route_with_undefined_authorizer(write_template):
    extra = """      Events:
        Get:
          Type: Api
          Properties: {Path: /x, Method: get, Auth: {Authorizer: Ghost}}
"""
    message = load_error(write_template(fn_template(extra), modules={"src/app.py": ""}))
    assert "event Get" in message
    assert "authorizer Ghost is not defined" in message


def test_event_for_unknown_api(write_template):
    extra = """      Events:
        Get:
          Type: Api
          Properties: {Path: /x, Method: get, RestApiId: NotAnApi}
"""
    assert "RestApiId 'NotAnApi'" in load_error(
        write_template(fn_template(extra), modules={"src/app.py": ""})
    )


def test_explicit_api_without_stage_name(write_template):
    text = fn_template() + "  Api:\n    Type: AWS::Serverless::Api\n    Properties: {}\n"
    assert "API Api: StageName is required" in load_error(write_template(text, modules={"src/app.py": ""}))


def test_resource_without_type(write_template):
    assert "resource X must be a mapping with a Type" in load_error(write_template("Resources:\n  X: {}\n"))


def test_request_authorizer_with_cache_needs_an_identity_source(write_template):
    text = """
    Globals:
      Api:
        Auth:
          Authorizers:
            R:
              FunctionArn: !GetAtt Fn.Arn
              FunctionPayloadType: REQUEST
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src
          Handler: app.handler
          Runtime: python3.12
          Events:
            Get: {Type: Api, Properties: {Path: /x, Method: get}}
    """
    message = load_error(write_template(text, modules={"src/app.py": ""}))
    assert "authorizer R must specify Identity" in message
    no_cache = text.replace(
        "FunctionPayloadType: REQUEST",
        "FunctionPayloadType: REQUEST\n              Identity: {ReauthorizeEvery: 0}",
    )
    app = load_app(write_template(no_cache, modules={"src/app.py": ""}))
    assert app.apis["ServerlessRestApi"].authorizers["R"].reauthorize_every == 0


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def test_any_mangled_value_is_a_template_error_never_a_traceback(fixtures_dir, tmp_path):
    """Replace each value of a real template by a wrong-typed one: load + validate either work or
    raise TemplateError (the CLI prints one line), never another exception."""
    import contextlib
    import copy
    import json
    import shutil

    from emulator.template.documents import read_template

    source_dir = fixtures_dir / "explicit_api"
    shutil.copytree(source_dir / "functions", tmp_path / "functions")
    document = read_template(source_dir / "template.yaml")
    mangled_path = tmp_path / "template.json"
    checked = 0
    for path in list(_paths(document))[1:]:
        for wrong in (None, 7, ["x"], {"Ref": ["x"]}):
            mangled = copy.deepcopy(document)
            parent = mangled
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = wrong
            mangled_path.write_text(json.dumps(mangled))
            with contextlib.suppress(TemplateError):
                validate_app(load_app(mangled_path))
            checked += 1
    assert checked > 300


def test_ref_to_a_resource_whose_condition_is_false(write_template):
    text = (
        fn_template("      Environment:\n        Variables:\n          T: !Ref ProdTable\n")
        + """
  ProdTable:
    Type: AWS::DynamoDB::Table
    Condition: Never
Conditions:
  Never: !Equals [a, b]
"""
    )
    message = load_error(write_template(text, modules={"src/app.py": ""}))
    assert "Ref to 'ProdTable', which is not created because its Condition is false" in message


def test_duplicate_keys_are_refused_with_the_line(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Handler: app.handler\n"
        "      Handler: other.handler\n"
    )
    with pytest.raises(TemplateError, match=r"duplicate key 'Handler' \(line 6\)"):
        load_app(path)
