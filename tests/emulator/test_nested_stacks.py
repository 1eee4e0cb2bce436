"""serve with nested stacks: the children's routes answer from their own functions, a child's API
with another stage is told apart by it, the parent's route wins a shared stage and path, and the
children's tables exist."""

from __future__ import annotations

import os
from pathlib import Path

import requests

from emulator.aws.provisioning import aws_client
from emulator.launcher import run_serve, serve_argv
from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[2]


def test_serve_answers_the_routes_of_nested_stacks(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    argv = serve_argv("--port", "0", "--template", str(template("nested")), "--no-reload")
    with run_serve(argv, log_path=log, cwd=ROOT, env=dict(os.environ)) as serve:
        users = requests.get(serve.root_url + "/Prod/users", timeout=30).json()
        assert users == {
            "WHO": "users",
            "TABLE": "local-Table",
            "GREETING": "hello",
            "function_name": "UsersApp-UsersFunction",
        }
        assert requests.get(serve.root_url + "/v2/hello", timeout=30).json()["WHO"] == "orders"
        assert requests.get(serve.root_url + "/Prod/hello", timeout=30).json()["WHO"] == "root"
        assert serve.aws_endpoint is not None
        dynamodb = aws_client("dynamodb", serve.aws_endpoint, "us-east-1", embedded=True)
        tables = dynamodb.list_tables()["TableNames"]
        assert {"local-Table", "local-UsersApp-UsersTable"} <= set(tables)
    assert "warning: GET /Prod/hello is also a route of ServerlessRestApi" in log.read_text()
