"""What ``serve`` and ``invoke`` share, as ``sam local`` has it: ``--template``, ``--env-vars``
and ``--parameter-overrides``, and the app loaded from them.

``serve`` also knows its own URL before it loads the template (the port is bound first), so there
``{{emulator.url}}`` in a parameter override or an env-vars value stands for it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from emulator.errors import UserError

if TYPE_CHECKING:
    from emulator.template.model import SamApp

URL_PLACEHOLDER = "{{emulator.url}}"


class TemplateOptions(Protocol):
    """What loads an app: ``serve``/``invoke``'s parsed arguments, or an ``EmulatorOptions``."""

    @property
    def template(self) -> Path: ...

    @property
    def env_vars(self) -> Sequence[Path]: ...

    @property
    def parameter_overrides(self) -> Sequence[str]: ...


def add_app_options(parser: argparse.ArgumentParser, *, knows_its_url: bool = False) -> None:
    parser.add_argument(
        "--template", "-t", type=Path, default=Path("template.yaml"), help="default: template.yaml"
    )
    parser.add_argument(
        "--env-vars",
        "-n",
        type=Path,
        action="append",
        default=[],
        help="sam local --env-vars JSON; repeatable: files apply in order, a later file's keys win",
    )
    parser.add_argument(
        "--parameter-overrides",
        nargs="*",
        action="extend",
        default=[],
        metavar="KEY=VALUE",
        help="template parameters; repeatable, a later KEY wins"
        + ("; {{emulator.url}} is replaced by this server's URL" if knows_its_url else ""),
    )


def parse_parameter_overrides(items: Sequence[str], base_url: str | None = None) -> dict[str, str]:
    """``K=V`` or SAM's ``ParameterKey=K,ParameterValue=V``; ``{{emulator.url}}`` -> ``base_url``."""
    overrides: dict[str, str] = {}
    for item in items:
        if item.startswith("ParameterKey="):  # SAM's long form
            key_part, _, value = item.partition(",ParameterValue=")
            key = key_part.removeprefix("ParameterKey=")
        else:
            key, sep, value = item.partition("=")
            if not sep:
                raise UserError(f"--parameter-overrides: expected KEY=VALUE, got {item!r}")
        if not key:
            raise UserError(f"--parameter-overrides: empty parameter name in {item!r}")
        overrides[key] = value if base_url is None else value.replace(URL_PLACEHOLDER, base_url)
    return overrides


def substituted_env_vars_file(path: Path, base_url: str, scratch: Path, *, index: int = 0) -> Path:
    """A copy of the --env-vars file with ``{{emulator.url}}`` replaced in every string value."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read env-vars file: {exc}") from None
    if URL_PLACEHOLDER not in text:
        return path
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None

    def replace(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(URL_PLACEHOLDER, base_url)
        if isinstance(value, dict):
            return {k: replace(v) for k, v in value.items()}
        if isinstance(value, list):
            return [replace(v) for v in value]
        return value

    out = scratch / f"env-vars-{index}.json"
    out.write_text(json.dumps(replace(document)), encoding="utf-8")
    return out


def load_template_app(
    args: TemplateOptions,
    *,
    base_url: str | None = None,
    scratch: Path | None = None,
    account_id: str | None = None,
) -> SamApp:
    """The template loaded with the overrides, checked, with the env-vars files applied in order.

    With ``base_url`` (and a ``scratch`` directory for the env-vars copies), ``{{emulator.url}}``
    is replaced by it. ``account_id``: ``AWS::AccountId`` (default: the loader's)."""
    from emulator.template import apply_env_vars_files, load_app, validate_app

    app = load_app(
        args.template,
        parameter_overrides=parse_parameter_overrides(args.parameter_overrides, base_url),
        **({"account_id": account_id} if account_id else {}),
    )
    validate_app(app)
    env_vars_files = list(args.env_vars)
    if base_url is not None and scratch is not None:
        env_vars_files = [
            substituted_env_vars_file(path, base_url, scratch, index=index)
            for index, path in enumerate(env_vars_files)
        ]
    return apply_env_vars_files(app, env_vars_files)
