"""``python -m emulator serve``: a SAM app's REST APIs + Lambda functions + AWS services, locally.

Start-up, with as much as possible in parallel (budget: the first 200 under 2 s on 2 cores). The
embedded AWS endpoint (a child process importing moto: the longest step) is launched first, on a socket
bound here so that its URL is known at once. Meanwhile: bind the gateway's socket (so
``--port 0`` works and ``{{emulator.url}}`` is known) -> load + validate the template, apply
``--env-vars`` -> the Lambda runtime -> provisioning (tables, secrets, the rotation) runs on a
thread from then on (boto3's import and clients overlap the child's start; its requests wait in
the endpoint's backlog until the child serves) -> the main thread builds the gateway; once the
endpoint is up, on a first start, the rotation function's worker is prewarmed (its cold start
overlaps the table creations) -> serve -> the banner on stdout, whose last line is
``Ready on http://HOST:PORT`` once a request has really been answered. Everything else (request
log, Lambda logs) goes to stderr, through the emulator's loggers. Heavy modules are imported
inside :func:`serve` so that the child is launched as soon as the process starts.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator import log
from emulator.commands.app_options import add_app_options, load_template_app

if TYPE_CHECKING:  # imported where they are used: `serve` launches the AWS endpoint first
    from flask import Flask

    from emulator.apigateway.gateway import ApiGateway
    from emulator.apigateway.server import GatewayServer
    from emulator.lambda_runtime import ProcessLambdaRuntime
    from emulator.template.model import SamApp


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
        help="as sam local: lazy (default) starts a function's first worker on its first request; eager "
        "starts one per function when the server is up (their cold starts then run before any request)",
    )
    parser.set_defaults(func=serve)


class _Terminated(Exception):
    """SIGTERM before the server installed its own handlers: unwind and clean up."""


def _raise_terminated(_signum: int, _frame: Any) -> None:
    raise _Terminated


def serve(args: argparse.Namespace) -> int:
    if args.check:
        from emulator.commands.check import run_check

        return run_check(args)
    started = time.perf_counter()
    signal.signal(signal.SIGTERM, _raise_terminated)
    dynamodb_endpoint = args.dynamodb_endpoint or os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None

    from emulator.aws import EmbeddedAws
    from emulator.aws.layout import has_saved_state

    # keep_listening: the watchdog restarts a child that dies on the same socket (same port).
    aws = EmbeddedAws(
        data_dir=args.data_dir, ttl_sweep_interval_s=args.ttl_sweep_interval, keep_listening=True
    )
    fresh_start = not has_saved_state(args.data_dir)  # before the child creates DATA_DIR/aws
    aws.launch()  # first: the longest step of the start-up, on the other core
    from emulator.apigateway.lifecycle import raise_open_files_limit
    from emulator.aws.watchdog import EndpointWatchdog

    raise_open_files_limit()  # each client is a descriptor; macOS allows 256 by default
    # boto3's own variable (e.g. LocalStack in docker-compose.yml): every service but DynamoDB
    # (Secrets Manager, SSM, SES) is there, for provisioning and the functions alike.
    aws_endpoint = os.environ.get("AWS_ENDPOINT_URL") or aws.endpoint_url
    runtime: ProcessLambdaRuntime | None = None
    gateway: ApiGateway | None = None
    provisioning: _Provisioning | None = None
    watchdog: EndpointWatchdog | None = None
    server: GatewayServer | None = None
    try:
        from emulator.apigateway.server import GatewayServer

        server = GatewayServer(args.host, args.port, graceful_timeout_s=args.graceful_timeout)
        watchdog = EndpointWatchdog(aws, on_give_up=server.stop)
        base_url = server.url
        with tempfile.TemporaryDirectory(prefix="emulator-serve-") as scratch:
            app = _load_app(args, base_url, Path(scratch))
            loaded_at = time.perf_counter()
            runtime = _start_runtime(app, args, aws_endpoint, dynamodb_endpoint)
            if app.resources:  # nothing to create otherwise: skip boto3 altogether
                provisioning = _Provisioning(app, runtime, aws_endpoint, dynamodb_endpoint)
            gateway, server_ready = _build_gateway(
                app, runtime, args, server, aws_endpoint, dynamodb_endpoint, started
            )
            gateway.availability = watchdog
            aws.wait_until_ready()
            watchdog.start()
            aws_at = time.perf_counter()
            if fresh_start:
                # The rotation (last step of provisioning) needs its function: its cold start
                # now overlaps the table creations. Not earlier: until the endpoint is up, the
                # endpoint's own start (the critical path) is better off with the CPU.
                _prewarm_rotation_functions(app, runtime)
            if provisioning is not None:
                provisioning.result()
            _publish_to_aws(gateway, aws_endpoint, app.region)
            logging.getLogger(log.SERVE).info(
                "template %.2f s, AWS endpoint up at %.2f s, provisioned at %.2f s",
                loaded_at - started,
                aws_at - started,
                time.perf_counter() - started,
            )
            server.serve_forever(gateway, on_ready=server_ready)
    except _Terminated:
        pass
    finally:
        logging.getLogger(log.ROOT).info("Shutting down...")
        if provisioning is not None:
            provisioning.abandon()
        if gateway is not None:
            gateway.close()
        if runtime is not None:
            runtime.close()
        at_once = server is not None and server.stopped_at_once  # a second Ctrl-C: no waiting
        if watchdog is not None:
            watchdog.stop(wait=not at_once)
        else:
            aws.stop(wait=not at_once)
    return 1 if watchdog is not None and watchdog.gave_up else 0


def _prewarm_rotation_functions(app: SamApp, runtime: ProcessLambdaRuntime) -> None:
    """A new secret with a RotationSchedule is rotated at start: start its function's cold start now."""
    from emulator.aws.secrets import ROTATION_TYPE, rotation_function

    for schedule in app.resources_of_type(ROTATION_TYPE):
        try:
            runtime.prewarm(app.functions[rotation_function(app, schedule)].function_name)
        except Exception:  # noqa: S112 - provisioning reports a bad schedule or function clearly
            continue


class _Provisioning:
    """``provision`` on a thread, started as soon as the endpoint's URL is known.

    Its boto3 import and client set-up (~0.4 s) overlap the endpoint's start; its first request
    waits in the endpoint's backlog until the child serves.
    """

    def __init__(
        self, app: SamApp, runtime: ProcessLambdaRuntime, endpoint_url: str, dynamodb_endpoint: str | None
    ) -> None:
        self._error: BaseException | None = None

        def run() -> None:
            from emulator.aws import provision

            try:
                provision(
                    app,
                    endpoint_url=endpoint_url,
                    dynamodb_endpoint_url=dynamodb_endpoint,
                    invoke=lambda fn_id, event: runtime.invoke(app.functions[fn_id].function_name, event),
                )
            except BaseException as exc:  # re-raised on the main thread by result()
                self._error = exc

        self._thread = threading.Thread(target=run, name="provision", daemon=True)
        self._thread.start()

    def result(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abandon(self) -> None:
        """Start-up failed elsewhere: say nothing more (the thread is a daemon, it ends with us)."""
        logging.getLogger(log.AWS).addFilter(_NotFromThread(self._thread.name))


class _NotFromThread(logging.Filter):
    def __init__(self, thread_name: str) -> None:
        super().__init__()
        self._thread_name = thread_name

    def filter(self, record: logging.LogRecord) -> bool:
        return threading.current_thread().name != self._thread_name


def _build_gateway(
    app: SamApp,
    runtime: ProcessLambdaRuntime,
    args: argparse.Namespace,
    server: GatewayServer,
    aws_endpoint: str,
    dynamodb_endpoint: str | None,
    started: float,
) -> tuple[ApiGateway, Callable[[], None]]:
    """The gateway and the banner callback (built while the endpoint starts)."""
    from emulator.apigateway.banner import print_banner
    from emulator.apigateway.gateway import ApiGateway

    gateway = ApiGateway(
        app,
        runtime,
        emulator_app=_emulator_app(args.data_dir, aws_endpoint),
        integration_timeout_s=args.integration_timeout,
    )

    def announce() -> None:
        startup_s = time.perf_counter() - started
        warm = runtime.function_names if args.warm_containers == "eager" else []
        for name in warm:  # like provisioned concurrency: INIT runs now, before the app's first call
            runtime.prewarm(name)
        print_banner(
            app,
            server,
            aws_endpoint=aws_endpoint,
            dynamodb_endpoint=dynamodb_endpoint,
            startup_s=startup_s,
            warm_functions=len(warm),
        )

    return gateway, announce


def _load_app(args: argparse.Namespace, base_url: str, scratch: Path) -> SamApp:
    from emulator.commands.check import report_notes

    app = load_template_app(args, base_url=base_url, scratch=scratch)
    report_notes(app)
    if args.stage:
        apis = {key: dataclasses.replace(api, stage_name=args.stage) for key, api in app.apis.items()}
        app = dataclasses.replace(app, apis=apis)
    return app


def _start_runtime(
    app: SamApp, args: argparse.Namespace, endpoint_url: str, dynamodb_endpoint: str | None
) -> ProcessLambdaRuntime:
    from emulator.aws import worker_environment
    from emulator.lambda_runtime import ProcessLambdaRuntime
    from emulator.lambda_runtime.from_template import function_config

    aws_env = worker_environment(
        endpoint_url=endpoint_url, dynamodb_endpoint_url=dynamodb_endpoint, region=app.region
    )
    runnable = [spec for spec in app.functions.values() if spec.unavailable is None]
    configs = [function_config(spec, app, aws_env) for spec in runnable]
    return ProcessLambdaRuntime(
        configs,
        max_workers=args.max_workers,
        hot_reload=not args.no_reload,
        queue_wait_s=args.queue_wait,
        python=args.lambda_python or sys.executable,
    )


def _emulator_app(data_dir: Path | None, aws_endpoint: str) -> Flask | None:
    """A small Flask app for ``/_emulator/...`` (local identity providers, sent emails), if present."""
    try:
        from emulator.emulator_app import build_emulator_app
    except ModuleNotFoundError:
        return None
    external_aws = bool(os.environ.get("AWS_ENDPOINT_URL"))  # e.g. LocalStack under docker-compose
    return build_emulator_app(data_dir, aws_endpoint, external_aws=external_aws)


def _publish_to_aws(gateway: ApiGateway, aws_endpoint: str, region: str) -> None:
    """What the ``/_emulator`` app puts into the local AWS at start (the Apple developer key)."""
    if gateway.emulator_app is not None:
        from emulator.emulator_app import publish_to_aws

        publish_to_aws(gateway.emulator_app, aws_endpoint, region)
