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

# Modules that contribute sub-commands. Each must define ``register(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = (
    "emulator.commands.serve",
    "emulator.commands.invoke",
    "emulator.aws.commands",
    "emulator.idp.commands",
)


# Which module registers which sub-command (aliases included): running a command imports only its
# module. `serve` must not pay for Flask (imported by the idp commands, 0.1-0.8 s) before it has
# even launched the embedded AWS endpoint. A command missing here still works (every module is
# then imported), and tests/emulator/test_cli_lazy.py keeps the table in step with the modules.
COMMAND_NAMES: dict[str, str] = {
    "serve": "emulator.commands.serve",
    "invoke": "emulator.commands.invoke",
    "generate-event": "emulator.commands.invoke",
    "aws": "emulator.aws.commands",
    "dynamodb": "emulator.aws.commands",
    "reset": "emulator.aws.commands",
    "emails": "emulator.aws.commands",
    "ttl-sweep": "emulator.aws.commands",
    "idp-token": "emulator.idp.commands",
}


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Run a SAM app's API Gateway + Lambda functions + DynamoDB locally, without Docker.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in modules:
        importlib.import_module(module_name).register(subparsers)
    for command in {id(p): p for p in subparsers.choices.values()}.values():  # aliases share one
        log.add_logging_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The top-level parser has no option but --help, so the first word is the command.
    module = COMMAND_NAMES.get(argv[0]) if argv else None
    args = build_parser((module,) if module else COMMAND_MODULES).parse_args(argv)
    log.configure_from(args)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
