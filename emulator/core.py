"""A SAM app running locally, whichever front serves it over HTTP: one core, two thin fronts.

The core is everything but the HTTP server: the embedded AWS endpoint, the template loaded with
its overrides and env vars, the Lambda runtime, the AWS resources provisioned and the gateway
(:class:`~emulator.apigateway.gateway.ApiGateway`, ``await gateway.handle(request)``). ``serve``'s
asyncio server (:mod:`emulator.apigateway.server`) and the Flask app (:mod:`emulator.flask_app`)
each turn HTTP into that one call.

Start-up, with as much as possible in parallel (budget: ``make up`` to the first 200 under 2 s
on 2 cores). :class:`EmulatorCore` launches the embedded AWS endpoint (a child process importing
moto: the longest step) as soon as it is made, on a socket bound here so that its URL is known at
once. Meanwhile the front binds its own socket (so that ``--port 0`` works and ``{{emulator.url}}``
is known), then :meth:`EmulatorCore.start`: load + validate the template, apply the env vars ->
the Lambda runtime -> provisioning (tables, secrets, the rotation) on a thread (boto3's import
and clients overlap the child's start; its requests wait in the endpoint's backlog until the
child serves) -> the gateway; once the endpoint is up, on a first start, the rotation function's
worker is prewarmed (its cold start overlaps the table creations). Heavy modules are imported
where they are used, so that the child is launched as soon as the process starts (asyncio's
import, the watchdog's, comes after the launch).

From then on the core watches the endpoint (:mod:`emulator.aws.watchdog`): a child that dies is
restarted on the same socket and data dir while the gateway holds requests; when it keeps dying,
the front is told (``on_aws_give_up``) and decides what that means for it.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator import log
from emulator.aws.stable_port import launch_on_stable_port, requested_port

if TYPE_CHECKING:  # imported where they are used: the AWS endpoint is launched first
    from emulator.apigateway.gateway import ApiGateway
    from emulator.apigateway.wsgi_bridge import WsgiApp
    from emulator.aws.watchdog import EndpointWatchdog
    from emulator.clock import EmulatorClock
    from emulator.dashboard.history import RequestHistory
    from emulator.lambda_runtime import ProcessLambdaRuntime
    from emulator.template.model import SamApp
    from emulator.template_reload import FileWatcher, ReloadableGateway


@dataclass(frozen=True)
class EmulatorOptions:
    """``serve``'s options, as the Python fronts take them (``python -m emulator serve --help``)."""

    template: Path = Path("template.yaml")
    env_vars: Sequence[Path] = ()  # sam local --env-vars files, applied in order: a later key wins
    parameter_overrides: Sequence[str] = ()  # KEY=VALUE (or SAM's long form); a later KEY wins
    stage: str | None = None  # every API's stage name (default: the template's)
    data_dir: Path | None = None  # persist the AWS data here (default: memory)
    dynamodb_endpoint: str | None = None  # an external DynamoDB (DynamoDB Local, LocalStack, AWS)
    aws_port: int = 0  # the embedded AWS endpoint's port (0: a free one)
    aws_port_fallback: bool = False  # True: a taken aws_port gives a free one, with a warning line
    max_workers: int = 10
    queue_wait: float = 10.0
    hot_reload: bool = True
    lambda_python: str | None = None
    integration_timeout: float | None = None
    ttl_sweep_interval: float = 60.0
    warm_containers: str = "lazy"
    # The front's: how long the requests in flight may take to finish at shutdown before they get 503.
    graceful_timeout: float = 10.0
    dashboard: bool = True  # record requests for /_emulator/ (False: --no-dashboard, no pages either)
    inspect_history: int = 1000  # how many requests the dashboard keeps (a ring buffer)
    dashboard_allow_lan: bool = False  # the dashboard answers clients off loopback too

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> EmulatorOptions:
        return cls(
            template=args.template,
            env_vars=tuple(args.env_vars),
            parameter_overrides=tuple(args.parameter_overrides),
            stage=args.stage,
            data_dir=args.data_dir,
            dynamodb_endpoint=args.dynamodb_endpoint,
            aws_port=requested_port(args.aws_port, args.port),
            aws_port_fallback=args.aws_port is None,  # serve's stable default (8000) may be taken
            max_workers=args.max_workers,
            queue_wait=args.queue_wait,
            hot_reload=not args.no_reload,
            lambda_python=args.lambda_python,
            integration_timeout=args.integration_timeout,
            ttl_sweep_interval=args.ttl_sweep_interval,
            warm_containers=args.warm_containers,
            graceful_timeout=args.graceful_timeout,
            dashboard=not args.no_dashboard,
            inspect_history=args.inspect_history,
            dashboard_allow_lan=args.dashboard_allow_lan,
        )


class EmulatorCore:
    """Made: the embedded AWS endpoint is launching. :meth:`start`: ready to serve. :meth:`close`:
    workers and endpoint stopped (idempotent, from any thread)."""

    def __init__(self, options: EmulatorOptions) -> None:
        from emulator.aws import EmbeddedAws
        from emulator.aws.layout import has_saved_state

        self.options = options
        self.started_at = time.perf_counter()
        self.dynamodb_endpoint = (
            options.dynamodb_endpoint or os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None
        )
        # keep_listening: the watchdog restarts a child that dies on the same socket (same port).
        self._aws = EmbeddedAws(
            data_dir=options.data_dir, ttl_sweep_interval_s=options.ttl_sweep_interval, keep_listening=True
        )
        self._fresh_start = not has_saved_state(options.data_dir)  # before the child creates DATA_DIR/aws
        # first: the longest step of the start-up, on the other core
        launch_on_stable_port(self._aws, port=options.aws_port, fallback=options.aws_port_fallback)
        from emulator.clock import EmulatorClock

        # python -m emulator clock: the functions and the TTL sweep (the /_emulator app's route) follow it.
        self.clock = EmulatorClock()
        self.clock.follow(self._aws.follow_clock)
        # boto3's own variable (e.g. LocalStack in docker-compose.yml): every service but DynamoDB
        # (Secrets Manager, SSM, SES) is there, for provisioning and the functions alike.
        self.external_aws = bool(os.environ.get("AWS_ENDPOINT_URL"))
        self.aws_endpoint = os.environ.get("AWS_ENDPOINT_URL") or self._aws.endpoint_url
        self.app: SamApp | None = None
        self.url: str | None = None  # where the front serves (set by start): the dashboard's replays go there
        self.runtime: ProcessLambdaRuntime | None = None
        self.gateway: ApiGateway | None = None
        self._provisioning: _Provisioning | None = None
        self._watchdog: EndpointWatchdog | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._close_lock = threading.Lock()
        self._closed = False
        self._reset_lock = threading.Lock()
        self._dynamodb: Any = None
        self._serving: ReloadableGateway | None = None  # with hot reload: what the front serves
        self._template_watcher: FileWatcher | None = None
        self._reload_lock = threading.Lock()
        self.history: RequestHistory | None = None
        if options.dashboard:
            from emulator.dashboard.history import RequestHistory

            self.history = RequestHistory(options.inspect_history)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def aws_gave_up(self) -> bool:
        """The embedded AWS endpoint kept dying and the watchdog stopped restarting it."""
        return self._watchdog is not None and self._watchdog.gave_up

    def start(
        self,
        base_url: str,
        *,
        emulator_app: WsgiApp | None,
        on_aws_give_up: Callable[[], None] | None = None,
    ) -> ApiGateway | ReloadableGateway:
        """Load the template (``{{emulator.url}}`` is ``base_url``), start the runtime, provision,
        build the gateway (``emulator_app`` answers ``/_emulator/...``); returns it ready to serve.

        From then on a watchdog restarts the embedded AWS endpoint if it dies (the gateway holds
        requests meanwhile, see :mod:`emulator.apigateway.availability`); ``on_aws_give_up`` is the
        front's reaction when it keeps dying (serve stops; without one, requests answer 503 and
        ``/_emulator/health`` says ``failed``). With hot reload, what is returned answers with the
        app of the template as last loaded (:mod:`emulator.template_reload`)."""
        from emulator.aws.watchdog import EndpointWatchdog  # after the launch: asyncio's import is heavy

        options = self.options
        self.url = base_url
        watchdog = self._watchdog = EndpointWatchdog(self._aws, on_give_up=on_aws_give_up or _nothing)
        self._scratch = tempfile.TemporaryDirectory(prefix="emulator-")
        app = self.app = _load_app(options, base_url, Path(self._scratch.name))
        loaded_at = time.perf_counter()
        runtime = self.runtime = _start_runtime(
            app, options, self.aws_endpoint, self.dynamodb_endpoint, self.clock
        )
        if app.resources:  # nothing to create otherwise: skip boto3 altogether
            self._provisioning = _Provisioning(app, runtime, self.aws_endpoint, self.dynamodb_endpoint)
        from emulator.apigateway.gateway import ApiGateway

        self.gateway = ApiGateway(
            app,
            runtime,
            emulator_app=emulator_app,
            integration_timeout_s=options.integration_timeout,
            availability=watchdog,
            clock=self.clock,
            history=self.history,
        )
        self._aws.wait_until_ready()
        watchdog.start()
        aws_at = time.perf_counter()
        if self._fresh_start:
            # The rotation (last step of provisioning) needs its function: its cold start now
            # overlaps the table creations. Not earlier: until the endpoint is up, the endpoint's
            # own start (the critical path) is better off with the CPU.
            _prewarm_rotation_functions(app, runtime)
        if self._provisioning is not None:
            self._provisioning.result()
            self._provisioning = None
        if emulator_app is not None:
            from emulator.emulator_app import publish_to_aws

            publish_to_aws(emulator_app, self.aws_endpoint, app.region, external=self.external_aws)
        logging.getLogger(log.SERVE).info(
            "template %.2f s, AWS endpoint up at %.2f s, provisioned at %.2f s",
            loaded_at - self.started_at,
            aws_at - self.started_at,
            time.perf_counter() - self.started_at,
        )
        if not options.hot_reload:
            return self.gateway
        from emulator.template_reload import FileWatcher, ReloadableGateway

        self._serving = ReloadableGateway(self.gateway)
        self._template_watcher = FileWatcher(self._watched_files(app), self.reload_template)
        self._template_watcher.start()
        return self._serving

    def _watched_files(self, app: SamApp) -> list[Path]:
        return [*app.source_files, *(Path(path).resolve() for path in self.options.env_vars)]

    def reload_template(self) -> bool:
        """The template changed: a new app (runtime, tables, gateway) replaces the running one, or,
        when it no longer loads, one ``error:`` line and the running one goes on. True if reloaded."""
        from emulator.apigateway.gateway import ApiGateway
        from emulator.errors import UserError

        with self._reload_lock:
            serving, old_gateway, old_runtime = self._serving, self.gateway, self.runtime
            if serving is None or self._closed or old_gateway is None or old_runtime is None:
                return False
            assert self._scratch is not None
            assert self.url is not None
            assert self._template_watcher is not None
            started = time.perf_counter()
            try:
                app = _load_app(self.options, self.url, Path(self._scratch.name))
            except UserError as exc:
                logging.getLogger(log.TEMPLATE).error(
                    "error: %s (the previous template goes on serving)", exc
                )
                return False
            self._template_watcher.watch(self._watched_files(app))
            runtime = _start_runtime(app, self.options, self.aws_endpoint, self.dynamodb_endpoint, self.clock)
            try:
                if app.resources:
                    _Provisioning(app, runtime, self.aws_endpoint, self.dynamodb_endpoint).result()
            except Exception as exc:
                runtime.close()
                reason = exc if isinstance(exc, UserError) else f"provisioning failed: {exc!r}"
                logging.getLogger(log.TEMPLATE).error(
                    "error: %s (the previous template goes on serving)", reason
                )
                return False
            gateway = ApiGateway(
                app,
                runtime,
                emulator_app=old_gateway.emulator_app,
                integration_timeout_s=self.options.integration_timeout,
                availability=self._watchdog,
                clock=self.clock,
                history=self.history,
            )
            self.app, self.runtime, self.gateway = app, runtime, gateway

            def retire_old() -> None:
                old_gateway.close()
                old_runtime.close()

            serving.swap(gateway, retire_old)
            self.prewarm_all()  # --warm-containers eager: the new app's functions warm, as at start
            logging.getLogger(log.SERVE).info(
                "Reloaded %s: %d routes, %d functions (%.2f s)",
                self.options.template,
                len(app.routes),
                len(app.functions),
                time.perf_counter() - started,
            )
            return True

    def prewarm_all(self) -> int:
        """``--warm-containers eager``: one worker per function starts now; how many."""
        if self.runtime is None or self.options.warm_containers != "eager":
            return 0
        names = self.runtime.function_names
        for name in names:  # like provisioned concurrency: INIT runs now, before the app's first call
            self.runtime.prewarm(name)
        return len(names)

    def reset_tables(self) -> list[str]:
        """Every table of the template emptied (deleted and created anew); workers keep running."""
        if self.app is None or self._closed:
            raise RuntimeError("the emulator is not running")
        from emulator.aws.table_reset import reset_tables

        with self._reset_lock:
            if self._dynamodb is None:  # made once: a boto3 client costs more than a reset
                self._dynamodb = self.aws_client("dynamodb")
            return reset_tables(self.app, self._dynamodb)

    def aws_client(self, service: str) -> Any:
        """A boto3 client for the AWS endpoint the functions use (for DynamoDB, the DynamoDB one)."""
        from emulator.aws.provisioning import aws_client

        region = self.app.region if self.app is not None else "us-east-1"
        if service == "dynamodb" and self.dynamodb_endpoint:
            return aws_client(service, self.dynamodb_endpoint, region, embedded=False)
        return aws_client(service, self.aws_endpoint, region, embedded=True)

    def close(self, *, wait: bool = True) -> None:
        """``wait=False`` (a second Ctrl-C): the endpoint is asked to stop, not waited for."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        if self._provisioning is not None:
            self._provisioning.abandon()
        if self._template_watcher is not None:
            self._template_watcher.stop()
        with self._reload_lock:  # a reload under way ends first; none starts after this
            pass
        if self._serving is not None:
            self._serving.retire_all()
        if self.gateway is not None:
            self.gateway.close()
        if self.history is not None:
            self.history.close()  # wakes the dashboard's live-list clients
        if self.runtime is not None:
            self.runtime.close()
        if self._watchdog is not None:
            self._watchdog.stop(wait=wait)
        else:
            self._aws.stop(wait=wait)
        if self._scratch is not None:
            self._scratch.cleanup()


def _load_app(options: EmulatorOptions, base_url: str, scratch: Path) -> SamApp:
    from emulator.aws.account import external_endpoint_account_id
    from emulator.commands.app_options import load_template_app
    from emulator.commands.check import report_notes

    # An external endpoint (LocalStack) may act in another account than the loader's default.
    account_id = external_endpoint_account_id()
    app = load_template_app(options, base_url=base_url, scratch=scratch, account_id=account_id)
    report_notes(app)  # what the template has that is not emulated, one warning line each
    if options.stage:
        apis = {key: dataclasses.replace(api, stage_name=options.stage) for key, api in app.apis.items()}
        app = dataclasses.replace(app, apis=apis)
    return app


def _start_runtime(
    app: SamApp,
    options: EmulatorOptions,
    endpoint_url: str,
    dynamodb_endpoint: str | None,
    clock: EmulatorClock,
) -> ProcessLambdaRuntime:
    from emulator.aws import worker_environment
    from emulator.lambda_runtime import ProcessLambdaRuntime
    from emulator.lambda_runtime.from_template import function_config

    aws_env = worker_environment(
        endpoint_url=endpoint_url, dynamodb_endpoint_url=dynamodb_endpoint, region=app.region
    )
    # A function that cannot run here (an image, code on S3) has no worker: its routes answer 502.
    runnable = [spec for spec in app.functions.values() if spec.unavailable is None]
    configs = [function_config(spec, app, aws_env) for spec in runnable]
    return ProcessLambdaRuntime(
        configs,
        max_workers=options.max_workers,
        hot_reload=options.hot_reload,
        queue_wait_s=options.queue_wait,
        python=options.lambda_python or sys.executable,
        clock=clock,
        count_invocations=options.dashboard,  # its functions page (nothing with --no-dashboard)
    )


def _nothing() -> None:
    """No reaction of the front's: the watchdog's error line says it, the gateway answers 503."""


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
                    external=bool(os.environ.get("AWS_ENDPOINT_URL")),
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
