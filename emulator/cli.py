"""``python -m emulator``: one entry point, one sub-command per module.

Each feature module exposes ``register(subparsers)``, which adds its sub-commands and sets
``func`` on them; ``func(args) -> int`` is the exit code. A :class:`UserError` raised by a
command is printed as one line (no traceback) and exits 2, as a user mistake should.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from emulator.errors import UserError

# Modules that contribute sub-commands. Each must define ``register(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = (
    "emulator.commands.serve",
    "emulator.commands.invoke",
    "emulator.aws.commands",
    "emulator.idp.commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Run a SAM app's API Gateway + Lambda functions + DynamoDB locally, without Docker.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # a feature not built yet: its commands are simply absent
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
