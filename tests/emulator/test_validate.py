"""``python -m emulator validate`` / ``serve --check``: what would be served and what is ignored,
printed without starting anything; a template error is one ``error:`` line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[2]


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", *argv], capture_output=True, text=True, cwd=ROOT, check=False
    )


@pytest.mark.parametrize("command", [["validate"], ["serve", "--check"]])
def test_prints_routes_functions_and_warnings_then_exits(command):
    proc = _run(*command, "--template", str(template("basic")))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "GET     /Prod/health      local-api  -" in out
    assert "ANY     /Prod/users/{id}  local-api  TokenAuth" in out
    assert "ApiFunction: handlers.api.handler (python3.12)" in out
    assert "UsersTable (AWS::DynamoDB::Table)" in out
    assert "warning: AWS::SQS::Queue is not emulated: JobsQueue" in out
    assert "3 routes, 3 functions, 2 warnings" in out
    assert "Ready on" not in out  # nothing was started


def test_zero_routes_is_said_with_the_reason_and_exit_code_1():
    proc = _run("validate", "--template", str(template("invoke_app")))
    assert proc.returncode == 1
    assert "0 routes: no function has an Api event and no API definition routes to one of its functions." in (
        proc.stdout
    )


def test_a_template_error_is_one_error_line_naming_the_resource(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: ., Handler: app.handler, Runtime: python3.12, Events: [oops]}\n"
    )
    proc = _run("validate", "--template", str(path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "function Fn" in lines[0]


def test_serve_says_what_it_ignores_and_that_it_has_no_route(tmp_path):
    from emulator.launcher import run_serve, serve_argv

    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n"
        "  Jobs:\n"
        "    Type: AWS::SQS::Queue\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: ., Handler: app.handler, Runtime: python3.12}\n"
    )
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    log = tmp_path / "serve.log"
    with run_serve(serve_argv("--port", "0", "--template", str(path), "--no-reload"), log_path=log, cwd=ROOT):
        text = log.read_text()
    assert "warning: AWS::SQS::Queue is not emulated: Jobs" in text
    assert "0 routes: no function has an Api event" in text


def test_zero_routes_is_red_in_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    import io

    from emulator.commands.check import report_notes
    from emulator.template import load_app

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    report_notes(load_app(template("invoke_app")), stream=out)
    assert out.getvalue().startswith("\x1b[31m0 routes: ")
    assert out.getvalue().rstrip("\n").endswith("\x1b[0m")
