"""``python -m emulator``: one entry point, one sub-command per module.

Each feature module exposes ``register(subparsers)``, which adds its sub-commands and sets
``func`` on them; ``func(args) -> int`` is the exit code. Every sub-command also takes the
logging options (``--log-level``, ``--quiet``, ``--pretty-logs``): the emulator's loggers are
configured here, once, before the command runs (:mod:`emulator.log`). A :class:`UserError`
raised by a command is printed as one line (no traceback) and exits 2, as a user mistake should.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from emulator import log
from emulator.errors import UserError

# Modules that contribute sub-commands, each with ``register(subparsers)``; in the order they are
# imported when looking for a command: `serve` first, since it must not pay for Flask (imported
# by the idp commands, 0.1-0.8 s) before it has even launched the embedded AWS endpoint.
COMMAND_MODULES: tuple[str, ...] = (
    "emulator.commands.serve",
    "emulator.aws.commands",
    "emulator.commands.invoke",
    "emulator.commands.check",
    "emulator.idp.commands",
    "emulator.commands.clock",
    "emulator.commands.exec_env",
)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command, or only as many modules as it takes to find ``command`` (the one to run)."""
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Run a SAM app's API Gateway + Lambda functions + DynamoDB locally, without Docker.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
        if command in subparsers.choices:
            break
    for subparser in {id(p): p for p in subparsers.choices.values()}.values():  # aliases share one
        log.add_logging_arguments(subparser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The top-level parser has no option but --help, so the first word is the command.
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    log.configure_from(args)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
