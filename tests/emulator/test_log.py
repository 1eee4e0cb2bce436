"""The emulator's named loggers: one configuration, tags by logger, --log-level/--quiet, pretty logs."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator

import pytest

from emulator import log
from tests.emulator.fixtures import template
from tests.emulator.logging_state import emulator_logging_restored

TEMPLATE = template("invoke_app")
POWERTOOLS_LINE = json.dumps(
    {
        "level": "INFO",
        "location": "handler:10",
        "message": "handled",
        "timestamp": "2026-11-25 12:00:00,000+0000",
        "service": "demo",
        "cold_start": True,
        "function_name": "Tools",
        "function_request_id": "c6af9ac6",
        "answer": 42,
        "user": "u-1",
    }
)


@pytest.fixture
def configured() -> Iterator[io.StringIO]:
    """The emulator's loggers writing into a buffer; their set-up restored afterwards."""
    with emulator_logging_restored():
        yield io.StringIO()


def test_each_logger_has_its_tag_and_lines_stay_as_they_were(configured):
    log.configure("info", stream=configured)

    logging.getLogger(log.GATEWAY).warning("Execution failed due to a timeout error")
    logging.getLogger(log.ACCESS).info('127.0.0.1 "GET /prod/x HTTP/1.1" 200 1.2ms')
    logging.getLogger(log.LAMBDA).info("START RequestId: 1 Version: $LATEST\nEND RequestId: 1")
    logging.getLogger(log.AWS).info("Created table users (UsersTable)")

    assert configured.getvalue().splitlines() == [
        "[gateway] Execution failed due to a timeout error",
        '127.0.0.1 "GET /prod/x HTTP/1.1" 200 1.2ms',
        "START RequestId: 1 Version: $LATEST",
        "END RequestId: 1",
        "Created table users (UsersTable)",
    ]


def test_a_higher_level_hides_requests_and_function_logs_but_not_errors(configured):
    log.configure("warning", stream=configured)

    logging.getLogger(log.ACCESS).info('127.0.0.1 "GET /prod/x HTTP/1.1" 200 1.2ms')
    logging.getLogger(log.LAMBDA).info("START RequestId: 1 Version: $LATEST")
    logging.getLogger(log.GATEWAY).warning("Malformed Lambda proxy response")

    assert configured.getvalue() == "[gateway] Malformed Lambda proxy response\n"


def test_pretty_logs_show_a_json_line_as_level_message_and_its_own_keys(configured):
    log.configure("info", pretty=True, stream=configured)

    logging.getLogger(log.LAMBDA).info(f"START RequestId: 1 Version: $LATEST\n{POWERTOOLS_LINE}\nplain")

    assert configured.getvalue().splitlines() == [
        "START RequestId: 1 Version: $LATEST",
        "INFO    handled  answer=42 user=u-1",
        "plain",
    ]


def test_without_pretty_logs_a_json_line_is_left_as_the_function_wrote_it(configured):
    log.configure("info", stream=configured)

    logging.getLogger(log.LAMBDA).info(POWERTOOLS_LINE)

    assert configured.getvalue() == POWERTOOLS_LINE + "\n"


@pytest.mark.parametrize("line", ["{not json", '{"no": "message"}', "[1, 2]", ""])
def test_pretty_leaves_what_is_not_a_structured_log_line_alone(line):
    assert log.pretty_line(line) == line


def _invoke(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", "invoke", "EchoFunction", "--template", str(TEMPLATE), "--no-aws",
         *options],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("option", [("--quiet",), ("--log-level", "warning")])
def test_quiet_leaves_the_result_and_drops_the_function_log(option):
    quiet = _invoke(*option)

    assert quiet.returncode == 0, quiet.stderr
    assert json.loads(quiet.stdout)["functionName"] == "echo-fn"
    assert "START RequestId" not in quiet.stderr
    assert "echo handler ran" not in quiet.stderr
