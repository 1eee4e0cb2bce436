"""``apply_env_vars``: the ``--env-vars`` file of ``sam local``, applied to the functions.

Several files (``--env-vars`` given more than once) are applied in order: a later file's value
wins, key by key, so ``make up ARGS="--env-vars mine.json"`` adds to ``env.local.json``.

Shape: ``{"Parameters": {...for every function...}, "<FunctionLogicalId>": {...}}`` (a section
may also be keyed by the FunctionName; the logical id has precedence); a function's own section
wins over ``Parameters``. As SAM CLI does, only variables the function
declares in the template (``Environment.Variables``, Globals included) are overridden; others
in the file are ignored.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from emulator.errors import UserError
from emulator.template.functions import env_value_text
from emulator.template.model import SamApp


def read_env_vars_file(env_vars_file: Path) -> dict[str, dict[str, Any]]:
    try:
        document = json.loads(Path(env_vars_file).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{env_vars_file}: env-vars file not found") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{env_vars_file}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{env_vars_file}: cannot read env-vars file: {exc}") from None
    if not isinstance(document, dict) or not all(isinstance(v, dict) for v in document.values()):
        raise UserError(
            f"{env_vars_file}: expected "
            '{"Parameters": {...}, "<FunctionLogicalId>": {...}} (objects only)'
        )
    return document


def _text(value: Any, name: str, env_vars_file: Path) -> str:
    if value is None:
        return ""
    text = env_value_text(value)
    if text is None:
        raise UserError(f"{env_vars_file}: value of {name} must be a string, number or boolean")
    return text


def apply_env_vars(app: SamApp, env_vars_file: Path) -> SamApp:
    document = read_env_vars_file(env_vars_file)
    shared = document.get("Parameters", {})
    functions = {}
    for logical_id, function in app.functions.items():
        # SAM CLI takes the first section found, by logical id, then by function name.
        own = next((document[key] for key in (logical_id, function.function_name) if key in document), {})
        overrides = {**shared, **own}
        environment = dict(function.environment)
        for name, value in overrides.items():
            if name in environment:
                environment[name] = _text(value, name, env_vars_file)
        functions[logical_id] = dataclasses.replace(function, environment=environment)
    return dataclasses.replace(app, functions=functions)


def apply_env_vars_files(app: SamApp, env_vars_files: Sequence[Path]) -> SamApp:
    """:func:`apply_env_vars` for each file in order (later files win, variable by variable)."""
    for env_vars_file in env_vars_files:
        app = apply_env_vars(app, env_vars_file)
    return app
