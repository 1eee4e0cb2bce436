"""Template reload with a real serve process: editing template.yaml while serve runs brings new
routes, environment and tables (old data kept); a template that no longer loads keeps the old app
serving and says why in one ``error:`` line."""

from __future__ import annotations

import asyncio
import json
import os
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from emulator.aws.provisioning import aws_client
from emulator.launcher import RunningServe, run_serve, serve_argv
from emulator.template_reload import FileWatcher, ReloadableGateway
from tests.waiting import until

ROOT = Path(__file__).resolve().parents[2]
HANDLER = """
import os

def handler(event, context):
    return {"statusCode": 200, "body": f"{os.environ.get('GREETING', '-')} from {event['path']}"}
"""
TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Notes:
    Type: AWS::Serverless::SimpleTable
{tables}
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment: {{Variables: {{GREETING: {greeting}}}}}
      Events:
{events}
"""
HELLO = "        Hello: {Type: Api, Properties: {Path: /hello, Method: get}}"
BYE = "        Bye: {Type: Api, Properties: {Path: /bye, Method: get}}"
EXTRA_TABLE = "  Extra:\n    Type: AWS::Serverless::SimpleTable"


def write_template(
    path: Path, *, greeting: str = "hello", events: tuple[str, ...] = (HELLO,), tables: str = ""
) -> None:
    """Written beside and renamed into place, as editors save: the watcher never reads half a file."""
    staging = path.with_suffix(".tmp")
    staging.write_text(TEMPLATE.format(greeting=greeting, events="\n".join(events), tables=tables))
    os.replace(staging, path)


def answers(url: str, text: str) -> bool:
    response = requests.get(url, timeout=30)
    return response.status_code == 200 and response.text == text


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[RunningServe, Path]]:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(textwrap.dedent(HANDLER))
    template = tmp_path / "template.yaml"
    write_template(template)
    argv = serve_argv("--port", "0", "--template", str(template))
    with run_serve(argv, log_path=tmp_path / "serve.log", cwd=ROOT, env=dict(os.environ)) as serve:
        assert answers(serve.root_url + "/Prod/hello", "hello from /hello")
        yield serve, template


def error_lines(serve: RunningServe) -> list[str]:
    return [line for line in serve.log_path.read_text().splitlines() if line.startswith("error: ")]


def test_a_new_route_and_a_changed_environment_variable_are_served(served: tuple[RunningServe, Path]) -> None:
    serve, template = served
    write_template(template, events=(HELLO, BYE))
    until(lambda: answers(serve.root_url + "/Prod/bye", "hello from /bye"))
    write_template(template, greeting="bonjour", events=(HELLO, BYE))
    until(lambda: answers(serve.root_url + "/Prod/hello", "bonjour from /hello"))
    assert error_lines(serve) == []


def test_a_broken_template_keeps_the_old_routes_and_says_why(served: tuple[RunningServe, Path]) -> None:
    serve, template = served
    template.write_text(template.read_text().replace("Handler: app.handler", "Handler: [not, a, string"))
    until(lambda: error_lines(serve))
    [line] = error_lines(serve)
    assert line.startswith(f"error: {template}: invalid YAML at line")
    assert line.endswith("(the previous template goes on serving)")
    assert answers(serve.root_url + "/Prod/hello", "hello from /hello")
    write_template(template, greeting="fixed")  # and a good template is loaded again
    until(lambda: answers(serve.root_url + "/Prod/hello", "fixed from /hello"))


def test_a_new_table_is_created_and_existing_data_kept(served: tuple[RunningServe, Path]) -> None:
    serve, template = served
    assert serve.aws_endpoint is not None
    dynamodb = aws_client("dynamodb", serve.aws_endpoint, "us-east-1", embedded=True)
    dynamodb.put_item(TableName="local-Notes", Item={"id": {"S": "kept"}})
    write_template(template, greeting="again", tables=EXTRA_TABLE)
    until(lambda: answers(serve.root_url + "/Prod/hello", "again from /hello"))
    assert "local-Extra" in dynamodb.list_tables()["TableNames"]
    assert dynamodb.get_item(TableName="local-Notes", Key={"id": {"S": "kept"}})["Item"] == {
        "id": {"S": "kept"}
    }


def test_the_watcher_reports_a_change_of_any_watched_file_once_it_settled(tmp_path: Path) -> None:
    parent, child = tmp_path / "template.yaml", tmp_path / "child.yaml"
    parent.write_text("a")
    child.write_text("b")
    changes: list[int] = []
    watcher = FileWatcher([parent, child], lambda: changes.append(1))
    assert not watcher.poll()
    child.write_text("bb")
    assert not watcher.poll()  # changed: read at the next poll if it stays so
    assert watcher.poll()
    assert changes == [1]
    assert not watcher.poll()
    watcher.watch([parent])  # a reload dropped the child
    child.write_text("bbb")
    assert not watcher.poll()
    assert not watcher.poll()


def test_an_edit_of_an_env_vars_file_reaches_the_handler(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(textwrap.dedent(HANDLER))
    template, env_vars = tmp_path / "template.yaml", tmp_path / "env.json"
    write_template(template)
    env_vars.write_text(json.dumps({"HelloFunction": {"GREETING": "from-file"}}))
    argv = serve_argv("--port", "0", "--template", str(template), "--env-vars", str(env_vars))
    with run_serve(argv, log_path=tmp_path / "serve.log", cwd=ROOT, env=dict(os.environ)) as serve:
        assert answers(serve.root_url + "/Prod/hello", "from-file from /hello")
        env_vars.write_text(json.dumps({"HelloFunction": {"GREETING": "edited"}}))
        until(lambda: answers(serve.root_url + "/Prod/hello", "edited from /hello"))


def test_eager_functions_are_warm_again_after_a_reload(tmp_path: Path) -> None:
    """--warm-containers eager: the new app's functions start their workers at the reload, as at
    serve's start, before any request (read on the dashboard's functions API)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(textwrap.dedent(HANDLER))
    template = tmp_path / "template.yaml"
    write_template(template)
    argv = serve_argv("--port", "0", "--template", str(template), "--warm-containers", "eager")
    with run_serve(argv, log_path=tmp_path / "serve.log", cwd=ROOT, env=dict(os.environ)) as serve:

        def warm_workers() -> int:
            listing = requests.get(serve.root_url + "/_emulator/api/functions", timeout=30).json()
            (hello,) = [item for item in listing["functions"] if item["logicalId"] == "HelloFunction"]
            return int(hello["workers"]["warm"])

        until(lambda: warm_workers() == 1)
        write_template(template, greeting="again")
        until(lambda: "Reloaded " in serve.log_path.read_text())  # the new app serves from now on
        until(lambda: warm_workers() == 1)  # and its function is warm, with no request yet
        assert answers(serve.root_url + "/Prod/hello", "again from /hello")


class _HeldGateway:
    """Answers once ``release`` is set: a request in flight for as long as the test wants."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.loops: list[object] = []  # the loop each request came with

    async def handle(self, request: object, *, loop: object = None) -> object:
        self.loops.append(loop)
        self.started.set()
        await self.release.wait()
        return request

    def payload_too_large(self, request: object) -> object:
        return request


def test_the_old_app_is_retired_once_its_requests_finished() -> None:
    async def scenario() -> None:
        old, new = _HeldGateway(), _HeldGateway()
        serving = ReloadableGateway(old)  # type: ignore[arg-type]
        retired = threading.Event()
        in_flight = asyncio.ensure_future(serving.handle("first"))  # type: ignore[arg-type]
        await old.started.wait()  # it is now answered by the old app
        serving.swap(new, retired.set)  # type: ignore[arg-type]
        assert serving.current is new
        assert not retired.is_set()  # the old app still answers a request
        old.release.set()
        assert await in_flight == "first"
        assert await asyncio.to_thread(retired.wait, 30)

    asyncio.run(scenario())


def test_the_current_app_gets_the_loop_its_front_handed_over() -> None:
    async def scenario() -> None:
        app = _HeldGateway()
        app.release.set()
        loop = asyncio.get_running_loop()
        assert await ReloadableGateway(app).handle("request", loop=loop) == "request"  # type: ignore[arg-type]
        assert app.loops == [loop]

    asyncio.run(scenario())
