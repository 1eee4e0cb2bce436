"""The gateway as a Flask app: the SAM app's API in your process, test suite or WSGI server.

    from emulator.flask_app import create_app

    app = create_app("template.yaml", env_vars="env.local.json")
    client = app.test_client()  # in process, no port
    client.post("/prod/auth/login", json={"email": "...", "password": "..."})
    app.emulator.close()  # or at process exit

or ``flask --app 'emulator.flask_app:create_app()' run``, or any WSGI server. Every request goes
through the same gateway as ``serve``'s: routing, authorizers, the proxy event, the warm Lambda
workers, the response rules (:class:`~emulator.core.EmulatorCore`). Your own blueprints can sit
beside it (a rule of yours wins over the gateway's catch-all); ``/_emulator/...`` (the local
identity providers, the emails SES caught) are this app's blueprints too.

The gateway is async and never leaves its event loop: each app runs one private loop on a thread
(:class:`~emulator.loop_thread.LoopThread`) and a WSGI request waits there for its answer. The
same loop also runs the asyncio server on a loopback port of its own (``app.emulator.url``), the
URL that ``{{emulator.url}}`` stands for in env vars and parameter overrides: so a function can
reach the local identity providers even when the app is only used through ``test_client``, and a
test can use a real HTTP client on it (the pytest plugin's ``sam_api.base_url``). Workers and the
embedded AWS endpoint start once per app and stop at :meth:`FlaskEmulator.close` or at exit.

As under ``serve``, a watchdog restarts the embedded AWS endpoint if it dies, and requests wait for
it meanwhile (:mod:`emulator.aws.watchdog`). If it keeps dying, the app does not stop its host
process (a test run, your WSGI server): it answers 503 and ``/_emulator/health`` says ``failed``;
``serve --server flask`` stops, exit code 1 (:mod:`emulator.commands.serve_flask`). Nor does it
raise the process's open-files limit as ``serve`` does: that is the host server's to set.
:meth:`FlaskEmulator.close` lets the requests in flight on the loopback URL finish for up to
``graceful_timeout`` seconds; a WSGI request still running when the loop stops gets 503.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

from emulator import log
from emulator.apigateway.api import Gateway
from emulator.apigateway.gateway import EMULATOR_PREFIX
from emulator.apigateway.lifecycle import SHUTTING_DOWN_MESSAGE
from emulator.apigateway.proxy_response import GatewayResponse
from emulator.apigateway.request import GatewayRequest
from emulator.apigateway.server import GatewayServer
from emulator.apigateway.wsgi_request import gateway_request, wsgi_headers
from emulator.core import EmulatorCore, EmulatorOptions
from emulator.dashboard.blueprint import register_dashboard
from emulator.emulator_app import register_emulator_pages
from emulator.loop_thread import LoopClosed, LoopThread

EXTENSION = "emulator"
HEALTH_PATH = "/_emulator/health"
# API Gateway's methods (ANY is these seven); Flask answers any other with 405.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def create_app(
    template: str | Path = "template.yaml",
    *,
    base_url: str | None = None,
    import_name: str = "emulator",
    **options: Any,
) -> Flask:
    """A Flask app serving ``template``'s APIs; ``options`` are ``serve``'s (:class:`EmulatorOptions`):
    ``env_vars`` (a file or several, a later key wins), ``parameter_overrides`` (a mapping, or
    ``KEY=VALUE`` strings), ``stage``, ``data_dir``, ``dynamodb_endpoint``, ``max_workers``,
    ``queue_wait``, ``hot_reload``, ``lambda_python``, ``integration_timeout``,
    ``ttl_sweep_interval``, ``warm_containers``, ``graceful_timeout``.

    ``base_url``: where this app is served, when you serve it yourself and its functions should
    call it there (``{{emulator.url}}``); by default the app also listens on a loopback port of
    its own for that. Raises :class:`~emulator.errors.UserError` for a bad template or option.
    """
    core = EmulatorCore(emulator_options(template, **options))  # the AWS endpoint launches now
    try:
        app = app_for(core, base_url=base_url, import_name=import_name)
    except BaseException:
        core.close()
        raise
    core.prewarm_all()  # warm_containers="eager": one worker per function starts now
    return app


def emulator_options(template: str | Path = "template.yaml", **options: Any) -> EmulatorOptions:
    """:class:`EmulatorOptions` from Python values: paths as strings, one env-vars file or several,
    parameter overrides as a mapping. An unknown option is a TypeError that names it."""
    env_vars = options.pop("env_vars", ())
    if isinstance(env_vars, str | Path):
        env_vars = [env_vars]
    overrides = options.pop("parameter_overrides", ())
    if isinstance(overrides, Mapping):
        overrides = [f"{key}={value}" for key, value in overrides.items()]
    elif isinstance(overrides, str):
        overrides = [overrides]
    data_dir = options.pop("data_dir", None)
    return EmulatorOptions(
        template=Path(template),
        env_vars=tuple(Path(path) for path in env_vars),
        parameter_overrides=tuple(str(item) for item in overrides),
        data_dir=Path(data_dir) if data_dir is not None else None,
        **options,
    )


def app_for(
    core: EmulatorCore,
    *,
    base_url: str | None = None,
    import_name: str = "emulator",
    on_aws_give_up: Callable[[], None] | None = None,
) -> Flask:
    """The Flask app over a launched core (``serve --server flask`` makes the core itself, and
    stops serving ``on_aws_give_up``: see :meth:`EmulatorCore.start`)."""
    _log_somewhere()
    app = Flask(import_name, static_folder=None)
    register_emulator_pages(
        app, core.options.data_dir, core.aws_endpoint, external_aws=core.external_aws, clock=core.clock
    )
    register_dashboard(app, core)
    emulator = FlaskEmulator(core, app, base_url=base_url, on_aws_give_up=on_aws_give_up)
    app.extensions[EXTENSION] = emulator
    app.emulator = emulator  # type: ignore[attr-defined]  # the documented handle: app.emulator.close()
    view = _gateway_view(emulator)
    # merge_slashes off: API Gateway sees the path as sent, Werkzeug would redirect "//" away.
    rule_options: dict[str, Any] = {"methods": METHODS, "provide_automatic_options": False}
    app.add_url_rule("/", "emulator_gateway", view, merge_slashes=False, **rule_options)
    app.add_url_rule("/<path:path>", "emulator_gateway", view, merge_slashes=False, **rule_options)
    return app


class FlaskEmulator:
    """``app.emulator``: the core under a Flask app, and the private loop its requests run on."""

    def __init__(
        self,
        core: EmulatorCore,
        app: Flask,
        *,
        base_url: str | None,
        on_aws_give_up: Callable[[], None] | None = None,
    ) -> None:
        self.core = core
        self._loop = LoopThread()
        self._server: GatewayServer | None = None
        self._serving: Any = None
        self._close_lock = threading.Lock()
        self._closed = False
        try:
            if base_url is None:
                self._server = GatewayServer("127.0.0.1", 0, graceful_timeout_s=core.options.graceful_timeout)
                base_url = self._server.url
            self.url: str = base_url.rstrip("/")
            self.gateway: Gateway = core.start(self.url, emulator_app=app, on_aws_give_up=on_aws_give_up)
            if self._server is not None:
                self._serving = self._loop.submit(self._server.serve(self.gateway))
        except BaseException:
            self.close()
            raise
        atexit.register(self.close)

    @property
    def aws_endpoint(self) -> str:
        """The AWS endpoint the functions use (Secrets Manager, SSM, SES; DynamoDB unless external)."""
        return self.core.aws_endpoint

    @property
    def dynamodb_endpoint(self) -> str:
        return self.core.dynamodb_endpoint or self.core.aws_endpoint

    @property
    def stages(self) -> list[str]:
        """The APIs' stage names, sorted (the first is the pytest plugin's ``sam_api.base_url``)."""
        assert self.core.app is not None
        return sorted({api.stage_name for api in self.core.app.apis.values()})

    @property
    def closed(self) -> bool:
        return self._closed

    def handle(self, gateway_request: GatewayRequest) -> GatewayResponse:
        """Answer one request through the gateway, on the app's loop (blocks this thread)."""
        return self._loop.run(self.gateway.handle(gateway_request))

    def payload_too_large(self, gateway_request: GatewayRequest) -> GatewayResponse:
        return self._loop.run(_call(self.gateway.payload_too_large, gateway_request))

    def flush(self) -> None:
        """Return once what the loop was asked to do so far is done: the log lines written after
        an answer (a function's END and REPORT, the access line) are in the log then."""
        self._loop.run(_call(lambda: None))

    def reset_tables(self) -> list[str]:
        """Every table of the template emptied; the workers keep running (and warm)."""
        return self.core.reset_tables()

    def aws_client(self, service: str) -> Any:
        """A boto3 client for the AWS endpoint the functions use (``"dynamodb"``: their DynamoDB)."""
        return self.core.aws_client(service)

    def close(self, *, wait: bool = True) -> None:
        """Stop serving, then the workers and the AWS endpoint (idempotent; also run at exit).
        ``wait=False``: the AWS endpoint is asked to stop, not waited for (its last snapshot)."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        atexit.unregister(self.close)
        if self._server is not None and self._serving is None:
            self._server.close_unused()  # the start failed before it served
        elif self._server is not None:
            self._server.stop()
            with contextlib.suppress(Exception):  # shutting down: the loop is stopped next anyway
                self._serving.result(timeout=self.core.options.graceful_timeout + 30)
        self._loop.stop()
        self.core.close(wait=wait)


async def _call(function: Any, *args: Any) -> Any:
    return function(*args)


def _gateway_view(emulator: FlaskEmulator) -> Any:
    def gateway(path: str = "") -> Response:
        gateway_req, too_large = gateway_request(request.environ)
        if gateway_req.path.startswith(EMULATOR_PREFIX) and gateway_req.path != HEALTH_PATH:
            # The emulator's pages are this app's blueprints: a path none of them serves is not
            # the API's (and must not loop back into the gateway, which sends them here).
            return _json_response(404, {"message": "Not Found"})
        try:
            answer = emulator.payload_too_large(gateway_req) if too_large else emulator.handle(gateway_req)
        except LoopClosed:
            # Closed (app.emulator.close()), or stopped under this request past serve's graceful timeout.
            return _json_response(503, {"message": SHUTTING_DOWN_MESSAGE})
        response = Response(answer.body, status=answer.status, headers=wsgi_headers(answer))
        if not any(name.lower() == "content-type" for name, _ in answer.headers):
            del response.headers["Content-Type"]  # Werkzeug's default: API Gateway adds none
        return response

    return gateway


def _json_response(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _log_somewhere() -> None:
    """As Werkzeug does for its own logger: when nobody configured logging (``flask run``), the
    emulator's request and function logs go to stderr; a test runner's or an app's set-up is kept."""
    root = logging.getLogger(log.ROOT)
    if not root.handlers and not logging.getLogger().handlers:
        log.configure("info")
