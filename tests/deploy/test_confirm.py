"""When make deploy asks (deploy/confirm.py); the question itself is answered on a real
pseudo-terminal in test_plan_and_confirm.py."""

from __future__ import annotations

import io

import pytest

from deploy.confirm import NO_TERMINAL, confirmation
from deploy.errors import DeployError


def test_yes_and_ci_true_skip_the_question_and_say_so() -> None:
    lines: list[str] = []
    assert confirmation(yes=True, env={}, stdin=io.StringIO(), log=lines.append) is None
    assert confirmation(yes=False, env={"CI": "true"}, stdin=io.StringIO(), log=lines.append) is None
    assert confirmation(yes=False, env={"CI": "1"}, stdin=io.StringIO(), log=lines.append) is None
    assert lines == [
        "--yes: the change set will be executed without a question",
        "CI=true: the change set will be executed without a question",
        "CI=1: the change set will be executed without a question",
    ]


@pytest.mark.parametrize("env", [{}, {"CI": "false"}])
def test_without_a_terminal_it_refuses_rather_than_wait(env: dict[str, str]) -> None:
    lines: list[str] = []
    with pytest.raises(DeployError) as refused:
        confirmation(yes=False, env=env, stdin=io.StringIO("y\n"), log=lines.append)
    assert str(refused.value) == NO_TERMINAL
    assert lines == (["CI=false is not true/1/yes: asking as on a laptop"] if env else [])
