"""The per-IP limits the suite holds a target to: the stack it starts runs ``env.json``'s; a given
``--sam-base-url`` (``make up``, a stage deployed without overrides) the template's defaults.

The compose topology and the artifact check start stacks with the suite's ``env.json`` and give
them by URL: they pass :func:`suite_limit_options`; ``scripts/test_targets.py`` passes the
template's for a running stack (:func:`limit_options` of :func:`template_limit_variables`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ENV_JSON = Path(__file__).resolve().parent / "env.json"

# The suite's per-IP limit options, by the functions' variable they mirror (env.json, template).
LIMIT_OPTIONS = {
    "LOGIN_IP_LIMIT": "--login-ip-limit",
    "REGISTER_IP_LIMIT": "--register-ip-limit",
    "GOOGLE_IP_LIMIT": "--google-ip-limit",
    "REAUTH_IP_LIMIT": "--reauth-ip-limit",
    "APPLE_IP_LIMIT": "--apple-ip-limit",
    "PASSWORD_RESET_IP_LIMIT": "--password-reset-ip-limit",
}


def suite_limit_variables() -> dict[str, str]:
    """The ``*_IP_LIMIT`` variables of the stack the suite starts (env.json)."""
    parameters = json.loads(ENV_JSON.read_text())["Parameters"]
    return {name: str(value) for name, value in parameters.items() if name in LIMIT_OPTIONS}


def template_limit_variables(template: Path = REPO_ROOT / "template.yaml") -> dict[str, str]:
    """The functions' ``*_IP_LIMIT`` variables with the template's defaults (``make up``'s limits)."""
    from emulator.template import load_app

    for function in load_app(template).functions.values():
        if "LOGIN_IP_LIMIT" in function.environment:
            return {k: str(v) for k, v in function.environment.items() if k in LIMIT_OPTIONS}
    return {}


def limit_options(variables: Mapping[str, str]) -> list[str]:
    """``--login-ip-limit N ...`` for a stack whose functions have these variables."""
    return [
        arg
        for name, option in LIMIT_OPTIONS.items()
        if name in variables
        for arg in (option, str(variables[name]))
    ]


def suite_limit_options() -> list[str]:
    """The limit options for a stack started with the suite's env.json and given by URL."""
    return limit_options(suite_limit_variables())
