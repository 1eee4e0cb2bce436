"""``python -m emulator invoke`` and ``generate-event``, run as the user runs them (real processes)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from emulator.cli import main
from emulator.commands.invoke import build_sample_proxy_event
from emulator.errors import UserError
from tests.emulator.fixtures import template
from tests.emulator.logging_state import emulator_logging_restored
from tests.emulator.proxy_event_keys import CONTEXT_KEYS, EVENT_KEYS

TEMPLATE = template("invoke_app")


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """``main`` configures the emulator's loggers, as a command does: not for the tests after it."""
    with emulator_logging_restored():
        yield


def emulator(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def test_invoke_prints_result_on_stdout_and_logs_on_stderr(tmp_path):
    env_vars = tmp_path / "env.json"
    env_vars.write_text(json.dumps({"EchoFunction": {"FROM_ENV_FILE": "from-file", "NOT_DECLARED": "x"}}))
    proc = emulator(
        "invoke", "EchoFunction", "--event", "-", "--template", str(TEMPLATE), "--no-aws",
        "--env-vars", str(env_vars), "--parameter-overrides", "Greeting=hi",
        stdin='{"a": [1, 2]}',
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "event": {"a": [1, 2]},
        "greeting": "hi",
        "fromEnvFile": "from-file",
        "functionName": "echo-fn",
    }
    assert proc.stdout.count("\n") == 1  # nothing but the result on stdout
    assert "START RequestId: " in proc.stderr
    assert "echo handler ran" in proc.stderr
    assert "to stderr" in proc.stderr
    assert "REPORT RequestId: " in proc.stderr


def test_env_vars_and_parameter_overrides_given_twice_merge_later_keys_winning(tmp_path):
    # `make up ARGS="--env-vars mine.json"` must add to the Makefile's env.local.json, not replace it.
    base, mine = tmp_path / "base.json", tmp_path / "mine.json"
    base.write_text(json.dumps({"Parameters": {"FROM_ENV_FILE": "base"}}))
    mine.write_text(json.dumps({"EchoFunction": {"FROM_ENV_FILE": "mine"}}))
    proc = emulator(
        "invoke", "EchoFunction", "--template", str(TEMPLATE), "--no-aws",
        "--env-vars", str(base), "--env-vars", str(mine),
        "--parameter-overrides", "Greeting=first", "--parameter-overrides", "Greeting=second",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["fromEnvFile"] == "mine"  # the later file wins
    assert result["greeting"] == "second"  # the later override wins


def test_invoke_by_function_name_with_event_file(tmp_path):
    event_file = tmp_path / "event.json"
    event_file.write_text('{"k": "v"}')
    proc = emulator("invoke", "echo-fn", "-e", str(event_file), "-t", str(TEMPLATE), "--no-aws")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["event"] == {"k": "v"}


def test_function_error_exits_1_with_lambdas_error_payload():
    proc = emulator("invoke", "FailingFunction", "-t", str(TEMPLATE), "--no-aws")
    assert proc.returncode == 1
    payload = json.loads(proc.stdout)
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "this function always fails"
    assert any("raise ValueError" in line for line in payload["stackTrace"])


def test_invoke_with_embedded_aws_sees_the_templates_table():
    proc = emulator("invoke", "TableFunction", "-t", str(TEMPLATE))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"name": "local-NotesTable", "status": "ACTIVE"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["invoke", "Nope", "-t", str(TEMPLATE), "--no-aws"], "no function 'Nope' in the template"),
        (["invoke", "-t", str(TEMPLATE), "--no-aws"], "name the function to invoke"),
        (["invoke", "EchoFunction", "-t", "missing.yaml"], "missing.yaml: template file not found"),
        (
            ["invoke", "EchoFunction", "-t", str(TEMPLATE), "-e", "missing.json", "--no-aws"],
            "cannot read event",
        ),
        (
            ["invoke", "EchoFunction", "-t", str(TEMPLATE), "-e", "-", "--no-aws"],
            "stdin: the event is not valid JSON",
        ),
        (
            ["generate-event", "apigateway", "aws-proxy", "--path", "/a/b", "--resource", "/c"],
            "does not match",
        ),
    ],
)
def test_user_mistakes_are_one_line_errors(args, message, capsys, monkeypatch):
    # In-process through the real CLI entry point (same code as `python -m emulator`).
    monkeypatch.setattr(sys, "stdin", io.StringIO("{nope"))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_generate_event_prints_a_complete_proxy_event(capsys):
    args = [
        "generate-event", "apigateway", "aws-proxy", "--method", "get", "--path", "/users/42",
        "--resource", "/users/{id}", "--query", "a=1&a=2", "--header", "Authorization: Bearer t",
        "--body", "", "--stage", "v1",
    ]  # fmt: skip
    assert main(args) == 0
    event = json.loads(capsys.readouterr().out)
    assert list(event) == EVENT_KEYS
    assert set(event["requestContext"]) == CONTEXT_KEYS
    assert (event["httpMethod"], event["resource"], event["path"]) == ("GET", "/users/{id}", "/users/42")
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"a": "2"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert event["headers"]["Authorization"] == "Bearer t"
    assert event["body"] is None
    assert event["stageVariables"] is None
    assert event["requestContext"]["path"] == "/v1/users/42"
    assert event["requestContext"]["stage"] == "v1"


def test_generated_event_feeds_invoke():
    generated = emulator("generate-event", "apigateway", "aws-proxy")
    assert generated.returncode == 0, generated.stderr
    proc = emulator(
        "invoke", "EchoFunction", "-t", str(TEMPLATE), "-e", "-", "--no-aws", stdin=generated.stdout
    )
    assert proc.returncode == 0, proc.stderr
    event = json.loads(proc.stdout)["event"]
    # sam local's defaults: POST /examplepath on /{proxy+} with a JSON body.
    assert (event["httpMethod"], event["path"], event["resource"]) == ("POST", "/examplepath", "/{proxy+}")
    assert event["pathParameters"] == {"proxy": "examplepath"}
    assert event["body"] == '{"test":"body"}'


def test_sample_event_path_must_match_resource():
    with pytest.raises(UserError, match="does not match --resource"):
        build_sample_proxy_event(method="GET", path="/a/b", resource="/c", body="", stage="prod")


def test_generate_authorizer_events(capsys):
    assert (
        main(
            ["generate-event", "apigateway", "authorizer", "--method", "get", "--path", "/a", "--token", "T"]
        )
        == 0
    )
    token_event = json.loads(capsys.readouterr().out)
    assert set(token_event) == {"type", "authorizationToken", "methodArn"}
    assert token_event["type"] == "TOKEN"
    assert token_event["authorizationToken"] == "T"
    assert token_event["methodArn"].startswith("arn:aws:execute-api:us-east-1:123456789012:")
    assert token_event["methodArn"].endswith("/prod/GET/a")

    args = [
        "generate-event",
        "apigateway",
        "request-authorizer",
        "--path",
        "/a",
        "--resource",
        "/a",
        "--query",
        "t=1",
    ]
    assert main(args) == 0
    request_event = json.loads(capsys.readouterr().out)
    assert request_event["type"] == "REQUEST"
    assert request_event["methodArn"].endswith("/prod/POST/a")
    assert request_event["queryStringParameters"] == {"t": "1"}
    assert set(request_event["requestContext"]) == CONTEXT_KEYS
    assert "body" not in request_event


def test_invoke_a_plain_lambda_function_with_inline_code():
    raw_rest = str(template("raw_rest_app"))
    proc = emulator(
        "invoke", "inline-fn", "--event", "-", "--template", raw_rest, "--no-aws", stdin='{"resource": "/r"}'
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(json.loads(proc.stdout)["body"]) == {"inline": True, "input": "/r"}
