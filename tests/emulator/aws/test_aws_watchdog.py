"""The endpoint watchdog on a real endpoint: a killed child restarted on the same port, requests
held meanwhile; one that cannot come back given up on, and the gateway answering 503 for it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading

from emulator.apigateway.gateway import ApiGateway
from emulator.apigateway.request import GatewayRequest
from emulator.aws import EmbeddedAws
from emulator.aws.watchdog import EndpointWatchdog
from emulator.template.model import RestApiSpec, Route, SamApp
from tests.emulator.fixtures import gateway_request, rest_app
from tests.waiting import until

from .helpers import client, create_table


def test_a_killed_endpoint_comes_back_on_the_same_port_with_its_data(tmp_path):
    aws = EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0, keep_listening=True).start()
    watchdog = EndpointWatchdog(aws, on_give_up=lambda: None)
    watchdog.start()
    try:
        url, first_pid = aws.endpoint_url, aws.pid
        table = create_table(client("dynamodb", url))
        client("dynamodb", url).put_item(TableName=table, Item={"pk": {"S": "acknowledged"}})

        os.kill(first_pid, signal.SIGKILL)
        # Sent in the gap or after: it waits in the socket's backlog, which serve keeps open.
        items = client("dynamodb", url).scan(TableName=table)["Items"]

        assert items == [{"pk": {"S": "acknowledged"}}]
        until(lambda: watchdog.restarts == 1 and watchdog.state == "up")
        status, health = watchdog.health()
        assert status == 200
        assert health["aws"]["pid"] == aws.pid != first_pid
        assert health["aws"]["lastExit"] == "killed by SIGKILL"
        assert aws.endpoint_url == url
        assert asyncio.run(watchdog.wait_until_up(30)) is True
    finally:
        watchdog.stop()


def test_an_endpoint_that_cannot_come_back_is_given_up_and_the_gateway_answers_503(tmp_path):
    aws = EmbeddedAws(data_dir=tmp_path, ttl_sweep_interval_s=0, keep_listening=True).start()
    gave_up = threading.Event()
    watchdog = EndpointWatchdog(aws, on_give_up=gave_up.set)
    watchdog.start()
    try:
        (tmp_path / "aws" / "snapshot-99999999.json").write_text("not a snapshot\n")
        os.kill(aws.pid, signal.SIGKILL)
        assert gave_up.wait(120)

        assert asyncio.run(watchdog.wait_until_up(30)) is False  # at once: it is not coming back
        gateway = ApiGateway(_app(), runtime=None, availability=watchdog)  # type: ignore[arg-type]
        answer = asyncio.run(gateway.handle(_get("/prod/a")))
        assert answer.status == 503
        assert answer.header("x-amzn-ErrorType") == "ServiceUnavailableException"
        assert "the emulator's AWS endpoint is restarting" in json.loads(answer.body)["message"]
        health = asyncio.run(gateway.handle(_get("/_emulator/health")))
        assert health.status == 503
        assert json.loads(health.body)["aws"]["state"] == "failed"
    finally:
        watchdog.stop()


def _app() -> SamApp:
    return rest_app(RestApiSpec(logical_id="Api", stage_name="prod"), (Route("Api", "/a", "GET", "Fn", "E"),))


def _get(path: str) -> GatewayRequest:
    return gateway_request("GET", path)
