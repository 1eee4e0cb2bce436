"""serve says at start-up, in one line, that a function cannot start (not only as a 502 later)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import requests

from emulator.launcher import run_serve, serve_argv
from tests.waiting import until

ROOT = Path(__file__).resolve().parents[2]

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12, CodeUri: src, Timeout: 5}
Resources:
  GoodFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: good.handler
      Events: {Get: {Type: Api, Properties: {Path: /good, Method: get}}}
  InsecureFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: insecure-fn
      Handler: insecure.handler
      Environment: {Variables: {STAGE: prod}}
      Events: {Get: {Type: Api, Properties: {Path: /insecure, Method: get}}}
"""
GOOD = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"
INSECURE = textwrap.dedent(
    """
    import os
    if os.environ["STAGE"] != "local":
        raise RuntimeError(f"Refusing to start: insecure configuration for STAGE={os.environ['STAGE']}")
    def handler(event, context):
        return {"statusCode": 200, "body": "never"}
    """
)
LINE = (
    "error: function InsecureFunction (insecure-fn) cannot start: "
    "RuntimeError: Refusing to start: insecure configuration for STAGE=prod"
)


def test_a_function_that_cannot_start_is_one_line_at_start_up(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "good.py").write_text(GOOD)
    (tmp_path / "src" / "insecure.py").write_text(INSECURE)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    argv = serve_argv("--port", "0", "--template", str(tmp_path / "template.yaml"), "--no-reload")
    with run_serve(argv, log_path=tmp_path / "serve.log", cwd=ROOT) as serve:
        until(lambda: LINE in serve.log_path.read_text())  # the check runs after Ready, on its own thread
        log = serve.log_path.read_text()
        assert [line for line in log.splitlines() if "cannot start" in line] == [LINE]
        assert requests.get(f"{serve.root_url}/Prod/good", timeout=30).text == "ok"
        assert requests.get(f"{serve.root_url}/Prod/insecure", timeout=30).status_code == 502
