"""Password attempts are reserved before they are checked: a burst cannot outrun the lock.

Thirty wrong passwords at the same instant used to get thirty bcrypt checks (the count was read,
the password checked, then the failure counted). Now a conditional write counts each attempt
first, so exactly the threshold get a check and the rest are refused — asserted on the backend's
own guard against the stack's DynamoDB, with the clock frozen so that no lock runs out during the
burst (over HTTP, ``tests/integration/test_brute_force.py`` shows the same with a real clock).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loadtests.stack import LocalStack, StackOptions, local_stack
from tests.backend.real_stack import function_environment, run_child

CHILD = Path(__file__).with_name("_brute_force_child.py")
OPTIONS = StackOptions(bcrypt_rounds=4)


@pytest.fixture(scope="module")
def burst(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("burst")
    with local_stack(workdir, OPTIONS) as stack:
        yield run_child(CHILD, _environment(stack, workdir))


def _environment(stack: LocalStack, workdir: Path) -> dict[str, str]:
    return function_environment(stack, OPTIONS, "LoginFunction", workdir / "env.json")


def test_of_30_simultaneous_attempts_exactly_the_threshold_are_checked(burst: dict[str, Any]):
    assert burst["normal"] == {"checked": 5, "429 account_locked": 25}


def test_under_attack_one_attempt_per_address_is_checked(burst: dict[str, Any]):
    assert burst["underAttack"] == {"checked": 1, "429 account_locked": 29}
