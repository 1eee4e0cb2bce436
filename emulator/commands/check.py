"""``python -m emulator validate`` (also ``serve --check``): what a template would serve, and what it
would not, printed without starting anything.

Also what ``serve`` says at start about the template: one ``warning:`` line per resource type,
property or event type it does not emulate (naming the logical ids), and, when no route came out
of the template, a red line saying so and why -- a server that answers every request with 403 must
never look like a working one.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any, TextIO

from emulator import log
from emulator.commands.app_options import add_app_options, load_template_app
from emulator.template.model import SamApp

_LOG = logging.getLogger(log.TEMPLATE)
_RED, _RESET = "\x1b[31m", "\x1b[0m"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="print what serve would serve from a template and what it would ignore, then exit",
        description="Load the template as serve does and print its routes, functions and resources, and "
        "what is not emulated; exit 0 when it yields routes, 1 when it yields none, 2 on a template error.",
    )
    add_app_options(parser)
    parser.set_defaults(func=run_check)


def run_check(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    app = load_template_app(args)
    out.write("\n".join(summary_lines(app)) + "\n")
    out.flush()
    report_notes(app, stream=out)
    return 0 if app.routes else 1


def summary_lines(app: SamApp) -> list[str]:
    from emulator.apigateway.banner import route_table

    lines = [f"{app.template_path} (stack {app.stack_name}, {app.region})", ""]
    lines.extend(route_table(app) if app.routes else ["  (no routes)"])
    lines.append("")
    lines.append(f"Functions ({len(app.functions)}):")
    for spec in app.functions.values():
        lines.append(f"  {spec.logical_id}: {spec.handler} ({spec.runtime}) in {spec.code_uri}")
    created = sorted(f"{spec.logical_id} ({spec.type})" for spec in _created_resources(app))
    if created:
        lines.append(f"Created in the local AWS endpoint: {', '.join(created)}")
    if app.notes.without_local_effect:
        lines.append("Not needed locally (permissions, logging, deployment settings):")
        for what, ids in app.notes.without_local_effect.items():
            named = ", ".join(ids) if len(ids) <= 3 else f"{', '.join(ids[:2])} and {len(ids) - 2} more"
            lines.append(f"  {what}: {named}")
    counts = (len(app.routes), len(app.functions), len(app.notes.ignored))
    lines.append("{} routes, {} functions, {} warnings".format(*counts))
    return lines


def _created_resources(app: SamApp) -> list[Any]:
    from emulator.template.coverage import EMULATED_TYPES

    return [spec for spec in app.resources.values() if spec.type in EMULATED_TYPES]


def no_routes_reason(app: SamApp) -> str:
    if not app.functions:
        reason = "the template has no Lambda function (AWS::Serverless::Function or AWS::Lambda::Function)"
    else:
        reason = "no function has an Api event and no API definition routes to one of its functions"
    if app.notes.ignored:
        reason += "; the warnings above say what was ignored"
    return reason


def report_notes(app: SamApp, stream: TextIO | None = None) -> None:
    """The warnings, and the red line when there is nothing to serve (stderr, or ``stream``)."""
    for line in app.notes.warnings():
        _write(f"warning: {line}", logging.WARNING, stream)
    for spec in app.functions.values():
        if spec.unavailable is not None:
            text = f"error: function {spec.logical_id}: {spec.unavailable}; its routes answer 502"
            _write(text, logging.ERROR, stream)
    if not app.routes:
        text = f"0 routes: {no_routes_reason(app)}. Every request will get 403 Missing Authentication Token."
        target = stream or sys.stderr
        if target.isatty() and not os.environ.get("NO_COLOR"):
            text = f"{_RED}{text}{_RESET}"
        _write(text, logging.ERROR, stream)


def _write(text: str, level: int, stream: TextIO | None) -> None:
    if stream is None:
        _LOG.log(level, text)
    else:
        stream.write(text + "\n")
