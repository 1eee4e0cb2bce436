"""One-time codes and email send limits, on the real stack's tables with a clock the test moves.

What needs time to pass (a code expiring after 15 minutes, the hourly send limit) is shown here
without waiting: the backend's services run in a child process against the stack's DynamoDB, with
an injected clock. Over HTTP, ``tests/integration/test_email_verification.py`` shows the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loadtests.stack import StackOptions, local_stack
from tests.backend.real_stack import function_environment, run_child

CHILD = Path(__file__).with_name("_codes_child.py")
OPTIONS = StackOptions(bcrypt_rounds=4)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("codes")
    with local_stack(workdir, OPTIONS) as stack:
        environment = function_environment(stack, OPTIONS, "ResendVerificationFunction", workdir / "env.json")
        yield run_child(CHILD, environment)


def test_a_code_expires_after_15_minutes(results: dict[str, Any]):
    assert results["just before 15 min"] == "ok"
    assert results["at 15 min"] == "400 invalid_code"


def test_a_new_code_replaces_the_old_one(results: dict[str, Any]):
    assert results["a replaced code"] == "400 invalid_code"
    assert results["its replacement"] == "ok"


def test_a_code_is_void_after_five_wrong_tries(results: dict[str, Any]):
    assert results["five wrong tries"] == ["400 invalid_code"] * 5
    assert results["then the right one"] == "400 invalid_code"


def test_one_email_a_minute_and_five_an_hour(results: dict[str, Any]):
    sends = results["sends"]
    assert sends[0] == "ok"
    assert sends[1].startswith("429 rate_limited retry=")  # a second one at once
    assert 1 <= int(sends[1].split("retry=")[1]) <= 60
    assert sends[2:6] == ["ok"] * 4  # a minute apart each: five in the hour
    assert sends[6].startswith("429 rate_limited")  # the sixth in the hour
    assert int(sends[6].split("retry=")[1]) > 60  # until the hour's window ends
