"""``python -m emulator serve``: a SAM app's REST APIs + Lambda functions + AWS services, locally.

The start-up is :class:`~emulator.core.EmulatorCore`'s (the embedded AWS endpoint launched
first, everything else in parallel with its start); this binds the front's socket (so ``--port
0`` works and ``{{emulator.url}}`` is known), serves, and prints the banner on stdout, whose last
line is ``Ready on http://HOST:PORT`` once a request has really been answered. Everything else
(request log, Lambda logs) goes to stderr, through the emulator's loggers. Heavy modules are
imported inside :func:`serve` so that the child is launched as soon as the process starts.

Two fronts serve the same core: the asyncio server (the default, :mod:`emulator.apigateway.server`)
and, with ``--server flask``, the Flask app of :mod:`emulator.flask_app` on Werkzeug's threaded
server (:mod:`emulator.commands.serve_flask`).
"""

from __future__ import annotations

import argparse
import logging
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator import log
from emulator.aws.stable_port import add_aws_port_option
from emulator.commands.app_options import add_app_options
from emulator.running_stack import advertise, withdraw

if TYPE_CHECKING:  # imported where they are used: `serve` launches the AWS endpoint first
    from flask import Flask

    from emulator.apigateway.server import GatewayServer, ListeningAddress
    from emulator.commands.serve_flask import FlaskServer
    from emulator.core import EmulatorCore


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the template's API Gateway routes, Lambda functions and AWS resources locally",
        description="Serve a SAM template's API Gateway routes, Lambda functions and AWS resources "
        "locally, like `sam local start-api`, without Docker.",
    )
    add_app_options(parser, knows_its_url=True)
    parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0 to accept a phone on the LAN")
    parser.add_argument("--port", "-p", type=int, default=3000, help="0 picks a free port")
    parser.add_argument("--stage", default=None, help="stage name (default: the template's)")
    parser.add_argument("--data-dir", type=Path, default=None, help="persist data here (default: memory)")
    parser.add_argument("--dynamodb-endpoint", default=None, help="an external DynamoDB endpoint")
    add_aws_port_option(parser)
    parser.add_argument("--max-workers", type=int, default=10, help="warm workers per function (default 10)")
    parser.add_argument("--no-reload", action="store_true", help="do not reload functions on code changes")
    parser.add_argument(
        "--queue-wait",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long a request waits for a worker when a function has --max-workers busy ones "
        "(default 10; at ReservedConcurrentExecutions Lambda throttles after 1 s, as on AWS)",
    )
    parser.add_argument(
        "--lambda-python",
        metavar="PATH",
        default=None,
        help="interpreter for the Lambda workers (default: this one), e.g. a python3.12 venv with only "
        "the packaged function's dependencies",
    )
    parser.add_argument(
        "--integration-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long API Gateway waits for a function before it answers 504 (default 29, as on AWS); "
        "the function runs on to its own Timeout",
    )
    parser.add_argument(
        "--ttl-sweep-interval", type=float, default=60.0, metavar="SECONDS", help="DynamoDB TTL deletions"
    )
    parser.add_argument(
        "--graceful-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="on Ctrl-C or SIGTERM, how long the requests in flight may take to finish before they get "
        "503 (default 10); a second Ctrl-C stops at once",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="load the template, print what would be served and what is ignored, and exit (= validate)",
    )
    parser.add_argument(
        "--warm-containers",
        choices=("lazy", "eager"),
        default="lazy",
        help="lazy (default): once the server is up, one worker per function runs its INIT in turn (the "
        "start-up check: a function that cannot start is one error line); eager, as sam local: all of them "
        "at once when the server is up",
    )
    parser.add_argument(
        "--server",
        choices=("asyncio", "flask"),
        default="asyncio",
        help="the HTTP front: asyncio (default; the event-loop server, keep-alive, the fastest) or flask "
        "(the same gateway as a Flask app on Werkzeug's threaded server, as emulator.flask_app serves it)",
    )
    parser.epilog = (
        "To test expiry without waiting: `python -m emulator clock advance 15m` (or POST /_emulator/clock) "
        "moves the functions' clock and the DynamoDB TTL sweep forward."
    )
    add_dashboard_options(parser)
    parser.set_defaults(func=serve)


def add_dashboard_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-dashboard",
        action="store_true",
        help="do not record requests and do not serve the dashboard's pages and API under /_emulator/",
    )
    parser.add_argument(
        "--inspect-history",
        type=_positive_int,
        default=1000,
        metavar="N",
        help="how many requests the dashboard keeps, the oldest dropped first (default 1000)",
    )
    parser.add_argument(
        "--dashboard-allow-lan",
        action="store_true",
        help="let clients off loopback see the dashboard (by default only this machine can, even with "
        "--host 0.0.0.0; /_emulator/idp/ stays reachable from the LAN)",
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class _Terminated(Exception):
    """SIGTERM before the server installed its own handlers: unwind and clean up."""


def _raise_terminated(_signum: int, _frame: Any) -> None:
    raise _Terminated


def serve(args: argparse.Namespace) -> int:
    if args.check:
        from emulator.commands.check import run_check

        return run_check(args)
    signal.signal(signal.SIGTERM, _raise_terminated)
    from emulator.core import EmulatorCore, EmulatorOptions

    core: EmulatorCore | None = None
    server: GatewayServer | FlaskServer | None = None
    try:
        core = EmulatorCore(EmulatorOptions.from_args(args))  # launches the AWS endpoint first
        from emulator.apigateway.lifecycle import raise_open_files_limit

        raise_open_files_limit()  # each client is a descriptor; macOS allows 256 by default
        graceful_timeout_s = core.options.graceful_timeout
        # Each front stops serving when the watchdog gives up on an AWS endpoint that keeps dying
        # (exit code 1), and shuts down gracefully at Ctrl-C or SIGTERM.
        if args.server == "flask":
            from emulator.commands.serve_flask import FlaskServer

            flask_server = server = FlaskServer(args.host, args.port, graceful_timeout_s=graceful_timeout_s)
            flask_server.serve_forever(core, on_ready=lambda: _announce(core, flask_server))
        else:
            from emulator.apigateway.server import GatewayServer

            asyncio_server = server = GatewayServer(
                args.host, args.port, graceful_timeout_s=graceful_timeout_s
            )
            emulator_app = _emulator_app(core)
            gateway = core.start(server.url, emulator_app=emulator_app, on_aws_give_up=server.stop)
            asyncio_server.serve_forever(gateway, on_ready=lambda: _announce(core, asyncio_server))
    except _Terminated:
        pass
    finally:
        logging.getLogger(log.ROOT).info("Shutting down...")
        withdraw(args.data_dir)
        if core is not None:
            at_once = server is not None and server.stopped_at_once  # a second Ctrl-C: no waiting
            core.close(wait=not at_once)
    return 1 if core is not None and core.aws_gave_up else 0


def _announce(core: EmulatorCore, server: ListeningAddress) -> None:
    """The banner, once a request was really answered; ``--warm-containers eager`` starts now."""
    from emulator.apigateway.banner import print_banner

    assert core.app is not None
    startup_s = time.perf_counter() - core.started_at
    print_banner(
        core.app,
        server,
        aws_endpoint=core.aws_endpoint,
        dynamodb_endpoint=core.dynamodb_endpoint,
        startup_s=startup_s,
        warm_functions=core.prewarm_all(),
        clock=core.gateway is not None and core.gateway.emulator_app is not None,
        dashboard_lan=core.options.dashboard_allow_lan if core.history is not None else None,
    )
    advertise(core.options.data_dir, server.url, core.aws_endpoint)  # for idp-token and invoke
    from emulator.lambda_runtime.from_template import runnable_functions
    from emulator.lambda_runtime.startup_check import check_functions_start

    assert core.runtime is not None
    check_functions_start(core.runtime, runnable_functions(core.app))  # one that cannot start: 1 line


def _emulator_app(core: EmulatorCore) -> Flask | None:
    """A small Flask app for ``/_emulator/...`` (identity providers, sent emails, the clock, the
    dashboard), if present."""
    try:
        from emulator.dashboard.blueprint import register_dashboard
        from emulator.emulator_app import build_emulator_app
    except ModuleNotFoundError:
        return None
    app = build_emulator_app(
        core.options.data_dir, core.aws_endpoint, external_aws=core.external_aws, clock=core.clock
    )
    register_dashboard(app, core)
    return app
