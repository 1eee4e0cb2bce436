"""Whether ``make deploy`` asks before it executes a change set, and the question on the terminal.

``--yes`` or ``CI=true`` (what CI services set: GitHub Actions, GitLab CI, CircleCI...): no question.
Otherwise the question is asked on the terminal; without one (stdin redirected, a cron job, a
pipeline that does not set CI) the deploy is refused before anything is uploaded, with one line
that says how to go on, rather than waiting for an answer that cannot come.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TextIO

from deploy.errors import DeployError

_TRUE = ("true", "1", "yes")
NO_TERMINAL = (
    "no terminal to confirm the change set on: pass --yes (make deploy YES=1) or set CI=true to deploy "
    "without a question"
)


def confirmation(
    *, yes: bool, env: Mapping[str, str], stdin: TextIO, log: Callable[[str], None] = print
) -> Callable[[str], bool] | None:
    """None: execute without a question; otherwise the function that asks. Raises DeployError
    when a question would be needed but there is no terminal to ask on."""
    if yes:
        log("--yes: the change set will be executed without a question")
        return None
    ci = env.get("CI", "").strip()
    if ci.lower() in _TRUE:
        log(f"CI={ci}: the change set will be executed without a question")
        return None
    if ci:
        log(f"CI={ci} is not true/1/yes: asking as on a laptop")
    if not stdin.isatty():
        raise DeployError(NO_TERMINAL)
    return ask_on_terminal


def ask_on_terminal(question: str) -> bool:
    """Yes only for "y" or "yes"; Enter, anything else, end of input or Ctrl-C is no."""
    try:
        answer = input(question)
    except (EOFError, KeyboardInterrupt):
        print()
        return False
    return answer.strip().lower() in ("y", "yes")
