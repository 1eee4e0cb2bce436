"""The gateway as a Flask app (``emulator.flask_app``), in this process: the Flask uses the README
documents. The gateway's behaviour on this front over HTTP is the conformance suite's
(``gateway/test_http.py``, ``serve --server flask``); here, what only an in-process app has."""

from __future__ import annotations

import base64
import gc
import os
import re
import signal
import subprocess
import sys
import threading
import wsgiref.simple_server
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
import requests
from flask import Blueprint, Flask

from emulator.errors import UserError
from emulator.flask_app import create_app
from emulator.launcher import STOP_TIMEOUT_S
from tests.emulator.fixtures import template
from tests.emulator.proxy_event_keys import EVENT_KEYS

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_APP = template("gateway_app")
NOTES_APP = template("notes_app")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _webhooks() -> Blueprint:
    """A user's own blueprint beside the gateway: a fake third-party webhook."""
    bp = Blueprint("webhooks", __name__)

    @bp.post("/test/echo")
    def shadowed() -> dict[str, str]:
        return {"served_by": "the user's blueprint"}

    @bp.get("/hooks/stripe")
    def stripe() -> dict[str, str]:
        return {"received": "yes"}

    return bp


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    app = create_app(GATEWAY_APP, hot_reload=False, integration_timeout=4)
    app.register_blueprint(_webhooks())
    yield app
    app.emulator.close()  # type: ignore[attr-defined]


def test_a_request_goes_through_the_gateway_with_no_port(app: Flask) -> None:
    response = app.test_client().get("/test/echo?x=1&x=2", headers={"X-Custom-Header": "hello"})
    assert response.status_code == 200
    event = response.json
    assert list(event) == EVENT_KEYS
    assert (event["resource"], event["path"], event["requestContext"]["stage"]) == ("/echo", "/echo", "test")
    # WSGI keeps no header case: the names arrive in their canonical case.
    assert event["headers"]["X-Custom-Header"] == "hello"
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert event["stageVariables"] == {"colour": "blue"}
    assert response.headers["x-amzn-RequestId"] == event["requestContext"]["requestId"]


def test_the_gateway_answers_as_api_gateway_does(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/test/nope").data == b'{"message":"Missing Authentication Token"}'
    assert client.get("/test/secure").status_code == 401
    allowed = client.get("/test/secure", headers={"Authorization": "Bearer allow-alice"})
    assert allowed.json["requestContext"]["authorizer"]["principalId"] == "alice"
    # OPTIONS is the gateway's CORS mock, not Flask's automatic answer.
    preflight = client.options("/test/items/1", headers={"Origin": "https://app.example"})
    assert preflight.headers["Access-Control-Allow-Methods"] == "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
    assert client.get("/test/respond/raise").status_code == 502
    uploaded = client.post("/test/respond/upload", data=PNG, headers={"Content-Type": "image/png"})
    assert uploaded.text == f"True:{base64.b64encode(PNG).decode()}"
    too_large = client.post("/test/respond/upload", data=b"x" * (10 * 1024 * 1024 + 1))
    assert (too_large.status_code, too_large.text) == (413, "HTTP content length exceeded 10485760 bytes.")
    assert client.get("/test/files//a//b").json["path"] == "/files//a//b"  # as sent: not redirected


def test_own_blueprints_sit_beside_the_gateway(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/hooks/stripe").json == {"received": "yes"}
    assert client.post("/test/echo", data="x").json == {"served_by": "the user's blueprint"}
    assert client.get("/test/echo").json["httpMethod"] == "GET"  # the other methods: the gateway's


def test_the_emulator_pages_are_the_apps_own(app: Flask) -> None:
    client = app.test_client()
    assert "emulator_emails.emails" in {rule.endpoint for rule in app.url_map.iter_rules()}
    assert client.get("/_emulator/idp/jwks.json").json["keys"]
    health = client.get("/_emulator/health").json
    assert (health["status"], health["aws"]["state"]) == ("ok", "up")  # the core's watched AWS endpoint
    missing = client.get("/_emulator/nothing-here")
    assert (missing.status_code, missing.json) == (404, {"message": "Not Found"})


def test_the_clock_page_moves_the_cores_clock(app: Flask) -> None:
    client = app.test_client()
    core = app.emulator.core  # type: ignore[attr-defined]
    try:
        moved = client.post("/_emulator/clock", json={"advance": "1h"})
        assert (moved.status_code, moved.json["offsetSeconds"]) == (200, 3600)
        assert core.clock.offset_s == 3600  # the one the functions, the TTL sweep and the gateway follow
    finally:
        assert client.post("/_emulator/clock", json={"reset": True}).json["offsetSeconds"] == 0


def test_the_apps_loopback_url_is_the_same_gateway(app: Flask) -> None:
    # GET /test/throttled allows a burst of 1 (MethodSettings): one state for both fronts.
    assert app.test_client().get("/test/throttled").status_code == 200
    assert requests.get(f"{app.emulator.url}/test/throttled", timeout=30).status_code == 429  # type: ignore[attr-defined]


def test_any_wsgi_server_serves_it(app: Flask) -> None:
    server = wsgiref.simple_server.make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        response = requests.get(f"http://127.0.0.1:{server.server_port}/test/items/42", timeout=30)
        assert response.json()["pathParameters"] == {"id": "42"}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(30)


def _resources() -> tuple[int, int, int]:
    gc.collect()
    me = psutil.Process()
    return me.num_fds(), len(me.children(recursive=True)), threading.active_count()


def _use_an_app() -> int:
    """Start an app, use both fronts and its AWS endpoint, close it: its child processes meanwhile."""
    app = create_app(NOTES_APP, hot_reload=False)
    client = app.test_client()
    assert client.post("/Prod/notes", json={"id": "a", "text": "x"}).status_code == 201
    assert requests.get(f"{app.emulator.url}/Prod/notes", timeout=30).json()["notes"] == ["a"]  # type: ignore[attr-defined]
    children = len(psutil.Process().children(recursive=True))
    app.emulator.close()  # type: ignore[attr-defined]
    assert client.get("/Prod/notes").status_code == 503  # closed: said so, never a hang
    return children


def test_two_apps_one_after_the_other_leave_nothing_behind() -> None:
    assert _use_an_app() >= 2  # the AWS endpoint and a worker ran
    before = _resources()
    assert _use_an_app() >= 2
    assert _resources() == before  # descriptors, child processes, threads


def test_a_bad_template_raises_and_leaves_nothing_running(tmp_path: Path) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text(
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: x.y}\n"
    )
    before = _resources()
    with pytest.raises(UserError, match="Runtime is missing"):
        create_app(broken)
    assert _resources() == before
    with pytest.raises(TypeError, match="no_such_option"):
        create_app(NOTES_APP, no_such_option=1)


def test_flask_run_serves_it(tmp_path: Path) -> None:
    factory = f"emulator.flask_app:create_app({str(GATEWAY_APP)!r}, hot_reload=False)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "flask", "--app", factory, "run", "--port", "0"]
    flask_run = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        assert flask_run.stderr is not None
        url = next(
            m.group(1) for line in flask_run.stderr if (m := re.search(r"Running on (http://\S+)", line))
        )
        assert requests.get(f"{url}/test/echo", timeout=30).json()["resource"] == "/echo"
        children = psutil.Process(flask_run.pid).children(recursive=True)
        assert children  # its workers and AWS endpoint
        flask_run.send_signal(signal.SIGINT)  # Ctrl+C: the app closes at exit
        flask_run.wait(STOP_TIMEOUT_S)
        _gone, alive = psutil.wait_procs(children, timeout=STOP_TIMEOUT_S)
        assert alive == []
    finally:
        if flask_run.poll() is None:
            flask_run.kill()
        flask_run.wait()


def test_a_killed_aws_endpoint_is_restarted_under_the_app_with_its_data(tmp_path: Path) -> None:
    """The core's watchdog, as under serve: the next request waits for the new endpoint, which
    replays the data dir's journal."""
    app = create_app(NOTES_APP, hot_reload=False, data_dir=tmp_path / "data")
    try:
        client = app.test_client()
        assert client.post("/Prod/notes", json={"id": "a", "text": "x"}).status_code == 201
        endpoint_pid = client.get("/_emulator/health").json["aws"]["pid"]

        os.kill(endpoint_pid, signal.SIGKILL)

        assert client.post("/Prod/notes", json={"id": "b", "text": "y"}).status_code == 201
        assert sorted(client.get("/Prod/notes").json["notes"]) == ["a", "b"]
        aws = client.get("/_emulator/health").json["aws"]
        assert (aws["state"], aws["restarts"], aws["lastExit"]) == ("up", 1, "killed by SIGKILL")
    finally:
        app.emulator.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("graceful_timeout", "answer"), [(60.0, (200, "done")), (0.5, (503, None))])
def test_close_lets_the_loopback_urls_requests_in_flight_finish_within_the_graceful_timeout(
    tmp_path: Path, graceful_timeout: float, answer: tuple[int, str | None]
) -> None:
    app = create_app(GATEWAY_APP, hot_reload=False, graceful_timeout=graceful_timeout)
    started = tmp_path / "started"
    url = f"{app.emulator.url}/test/long"  # type: ignore[attr-defined]
    pool = ThreadPoolExecutor(1)
    in_flight = pool.submit(requests.get, url, params={"seconds": "3", "started": str(started)}, timeout=60)
    while not started.exists():  # the function runs: the request is in flight
        assert not in_flight.done(), in_flight.result().text
        threading.Event().wait(0.02)

    app.emulator.close()  # type: ignore[attr-defined]

    response = in_flight.result()
    pool.shutdown()
    status, text = answer
    assert response.status_code == status
    if text is not None:
        assert response.text == text
    else:
        assert response.json() == {"message": "Service Unavailable: the server is shutting down"}
