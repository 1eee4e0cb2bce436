"""``python -m emulator exec [OPTIONS] FUNCTION -- COMMAND...``: a command with a function's environment.

The function's variables as the template (+ ``--env-vars``, ``--parameter-overrides``) gives them
(table names, secret ARNs, settings) and the AWS endpoint of the running stack, found in its data
dir as ``emails`` and ``export`` find it (or ``--aws-endpoint``); the command runs in the
function's code directory. So an admin script of the app reads its settings the way its handlers
do, against the local stack's data, and the emulator knows nothing of what it does (e.g.
``make unlock``, which runs the backend's ``auth_service.unlock``).
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path
from typing import Any

from emulator.aws.layout import DEFAULT_DATA_DIR
from emulator.commands.app_options import add_app_options, load_template_app
from emulator.errors import UserError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "exec",
        help="run a command with a function's environment, against the running stack's AWS endpoint",
        description=__doc__.split("\n\n", 1)[1].split("\n\n", 1)[0].replace("\n", " "),
    )
    parser.add_argument("function", metavar="FUNCTION", help="logical id or FunctionName")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command and its arguments")
    add_app_options(parser)
    parser.add_argument(
        "--aws-endpoint",
        default=None,
        help="this AWS endpoint (default: the running stack's, from --data-dir)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="the running stack's data dir (default .localdata)",
    )
    parser.set_defaults(func=run_exec)


def run_exec(args: argparse.Namespace) -> int:
    from emulator.aws import worker_environment
    from emulator.aws.commands import resolve_endpoint
    from emulator.commands.invoke import select_function
    from emulator.lambda_runtime.environment import new_log_stream_name, process_environment
    from emulator.lambda_runtime.from_template import function_config
    from emulator.lambda_runtime.worker import BOOTSTRAP_PATH

    if args.command[:1] == ["--"]:
        command = args.command[1:]
    elif args.command[:1] and args.command[0].startswith("-"):
        # argparse hands everything after FUNCTION to the command, exec's own options included.
        raise UserError("put exec's own options before FUNCTION: exec [OPTIONS] FUNCTION -- COMMAND...")
    else:
        command = args.command
    if not command:
        raise UserError("name the command to run after --, e.g. exec LoginFunction -- python -m my_script")
    endpoint = resolve_endpoint(argparse.Namespace(endpoint=args.aws_endpoint, data_dir=args.data_dir))
    app = load_template_app(args)
    spec = select_function(app, args.function)
    aws_env = worker_environment(endpoint_url=endpoint, dynamodb_endpoint_url=None, region=app.region)
    config = function_config(spec, app, aws_env)
    environment = process_environment(
        config, log_stream_name=new_log_stream_name(), runtime_dir=BOOTSTRAP_PATH.parent
    )
    try:
        return subprocess.run(command, cwd=config.code_dir, env=environment, check=False).returncode
    except OSError as exc:
        raise UserError(f"cannot run {command[0]}: {exc.strerror or exc}") from None
