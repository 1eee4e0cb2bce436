"""The dashboard's JSON API under ``serve`` (the asyncio front), over real HTTP: what each
request went through, masked until revealed, replayed, streamed as Server-Sent Events."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from emulator.dashboard.masking import MASK
from emulator.dashboard.views import BODY_CAP
from emulator.launcher import run_serve, serve_argv
from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD_APP = template("dashboard_app")
API = "/_emulator/api/requests"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("dashboard-api")
    argv = serve_argv(
        "--port", "0", "--template", str(DASHBOARD_APP), "--no-reload", "--inspect-history", "50"
    )
    with run_serve(argv, log_path=tmp / "serve.log", cwd=ROOT) as running:
        yield running.root_url


def _detail(url: str, request_id: str, **params: str) -> dict[str, Any]:
    answer = requests.get(f"{url}{API}/{request_id}", params=params, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    return answer.json()


def test_a_request_is_recorded_under_the_request_id_the_client_got(url: str) -> None:
    sent = requests.get(f"{url}/dev/echo?x=1", headers={"X-Custom": "hello"}, timeout=10)
    request_id = sent.headers["x-amzn-RequestId"]
    listed = requests.get(f"{url}{API}", timeout=10).json()["requests"]
    assert listed[0]["requestId"] == request_id  # newest first
    row = listed[0]
    assert (row["method"], row["path"], row["route"], row["status"], row["function"]) == (
        "GET",
        "/dev/echo",
        "/echo",
        200,
        "EchoFunction",
    )
    detail = _detail(url, request_id)
    assert detail["request"]["queryString"] == "x=1"
    assert ["X-Custom", "hello"] in detail["request"]["headers"]
    # The event as the function got it: what it echoed back is the same.
    assert detail["event"] == sent.json()
    assert detail["event"]["requestContext"]["requestId"] == request_id
    assert detail["response"]["status"] == 200
    assert json.loads(detail["response"]["body"]["text"]) == sent.json()
    # The answer's headers as the client got them (the server's Date, Content-Length and
    # Connection too): the history keeps what the asyncio front wrote.
    shown = {name: value for name, value in detail["response"]["headers"]}
    assert {name: shown.get(name) for name in ("Date", "Content-Length", "x-amzn-RequestId")} == {
        "Date": sent.headers["Date"],
        "Content-Length": sent.headers["Content-Length"],
        "x-amzn-RequestId": request_id,
    }
    function = detail["function"]
    assert function["result"]["statusCode"] == 200
    lambda_id = function["lambdaRequestId"]
    assert function["logs"][0] == f"START RequestId: {lambda_id} Version: $LATEST"
    assert function["logs"][-1].startswith(f"REPORT RequestId: {lambda_id}\tDuration: ")
    assert "Memory Size: 128 MB" in function["logs"][-1]


def test_a_cold_start_shows_its_init_duration_and_the_functions_own_lines(url: str) -> None:
    sent = requests.post(f"{url}/dev/login", json={"email": "ann@example.com", "password": "pw"}, timeout=10)
    detail = _detail(url, sent.headers["x-amzn-RequestId"])
    function = detail["function"]
    assert function["cold"] is True
    assert detail["cold"] is True
    assert "signing in ann@example.com" in function["logs"]
    assert "Init Duration: " in function["logs"][-1]
    again = requests.post(f"{url}/dev/login", json={"email": "bob@example.com"}, timeout=10)
    assert _detail(url, again.headers["x-amzn-RequestId"])["cold"] is False


def test_secrets_are_masked_until_revealed(url: str) -> None:
    sent = requests.post(
        f"{url}/dev/login",
        json={"email": "ann@example.com", "password": "hunter2"},
        headers={"Authorization": "Bearer sekret", "Cookie": "sid=abc"},
        timeout=10,
    )
    access_token = sent.json()["accessToken"]
    masked = json.dumps(_detail(url, sent.headers["x-amzn-RequestId"]), ensure_ascii=False)
    for secret in ("hunter2", "sekret", "sid=abc", access_token, "refresh-123"):
        assert secret not in masked
    assert "ann@example.com" in masked
    assert MASK in masked
    revealed = json.dumps(_detail(url, sent.headers["x-amzn-RequestId"], reveal="1"))
    for secret in ("hunter2", "sekret", "sid=abc", access_token, "refresh-123"):
        assert secret in revealed


def test_the_authorizers_event_policy_and_context_are_shown(url: str) -> None:
    sent = requests.get(f"{url}/dev/secure", headers={"Authorization": "Bearer allow-ann"}, timeout=10)
    detail = _detail(url, sent.headers["x-amzn-RequestId"], reveal="1")
    authorizer = detail["authorizer"]
    assert (authorizer["name"], authorizer["decision"], detail["authorizer"]["cached"]) == (
        "TokenAuth",
        "allow",
        False,
    )
    assert authorizer["event"]["authorizationToken"] == "Bearer allow-ann"
    assert authorizer["policy"]["Statement"][0]["Effect"] == "Allow"
    assert authorizer["context"]["principalId"] == "ann"
    assert authorizer["output"]["principalId"] == "ann"
    assert authorizer["logs"][-1].startswith("REPORT RequestId: ")
    assert detail["event"]["requestContext"]["authorizer"]["tier"] == "gold"
    masked = _detail(url, sent.headers["x-amzn-RequestId"])["authorizer"]
    assert masked["event"]["authorizationToken"] == f"Bearer {MASK}"
    refused = requests.get(f"{url}/dev/secure", headers={"Authorization": "Bearer deny"}, timeout=10)
    row = _detail(url, refused.headers["x-amzn-RequestId"])
    assert (row["status"], row["authorizer"]["decision"], row["function"]) == (403, "deny 403", None)


def test_a_502_says_why(url: str) -> None:
    sent = requests.get(f"{url}/dev/respond/body-not-string", timeout=10)
    assert sent.status_code == 502
    detail = _detail(url, sent.headers["x-amzn-RequestId"])
    assert detail["failure"].startswith("Malformed Lambda proxy response: body must be a string")
    assert detail["function"]["result"] == {"statusCode": 200, "body": {"a": 1}}
    raised = requests.get(f"{url}/dev/respond/raise", timeout=10)
    detail = _detail(url, raised.headers["x-amzn-RequestId"])
    assert detail["failure"] == "Lambda function error (Unhandled): ValueError"
    assert detail["function"]["error"]["errorMessage"] == "handler blew up on purpose"


def test_bodies_are_capped_and_binary_ones_shown_as_base64(url: str) -> None:
    binary = bytes(range(256)) * 2
    sent = requests.post(
        f"{url}/dev/echo", data=binary, headers={"Content-Type": "application/x-raw"}, timeout=10
    )
    body = _detail(url, sent.headers["x-amzn-RequestId"])["request"]["body"]
    assert (body["encoding"], body["size"], body["truncated"]) == ("base64", 512, False)
    assert base64.b64decode(body["text"]) == binary
    large = "a" * (BODY_CAP + 10)
    sent = requests.post(f"{url}/dev/echo", data=large, headers={"Content-Type": "text/plain"}, timeout=10)
    body = _detail(url, sent.headers["x-amzn-RequestId"])["request"]["body"]
    assert (body["size"], body["truncated"], len(body["text"])) == (BODY_CAP + 10, True, BODY_CAP)
    # Kept in part: it cannot be sent again as it was.
    refused = requests.post(f"{url}{API}/{sent.headers['x-amzn-RequestId']}/replay", timeout=10)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "replay_failed"


def test_replay_sends_the_same_request_again(url: str) -> None:
    sent = requests.post(f"{url}/dev/echo?q=1", data="hello", headers={"X-Custom": "again"}, timeout=10)
    original = sent.headers["x-amzn-RequestId"]
    replayed = requests.post(f"{url}{API}/{original}/replay", timeout=10)
    assert replayed.status_code == 201
    answer = replayed.json()
    assert answer["replayOf"] == original
    assert answer["status"] == 200
    assert answer["requestId"] != original
    detail = _detail(url, answer["requestId"])
    assert detail["replayOf"] == original
    event = detail["event"]
    assert (event["httpMethod"], event["path"], event["body"], event["headers"]["X-Custom"]) == (
        "POST",
        "/echo",
        "hello",
        "again",
    )
    assert event["queryStringParameters"] == {"q": "1"}
    assert event["requestContext"]["requestId"] == answer["requestId"]
    # API Gateway's own additions are not sent again: one client address, not two.
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"


def test_the_list_is_filtered_by_status_class_path_and_function(url: str) -> None:
    requests.get(f"{url}/dev/respond/not-a-dict", timeout=10)
    requests.get(f"{url}/dev/echo", timeout=10)
    failed = requests.get(f"{url}{API}", params={"status": "5xx"}, timeout=10).json()["requests"]
    assert failed
    assert all(500 <= row["status"] < 600 for row in failed)
    echoes = requests.get(f"{url}{API}", params={"path": "/dev/echo", "limit": "2"}, timeout=10).json()[
        "requests"
    ]
    assert len(echoes) == 2
    assert all("/dev/echo" in row["path"] for row in echoes)
    responses = requests.get(f"{url}{API}", params={"function": "ResponsesFunction"}, timeout=10).json()
    assert responses["requests"]
    assert {row["function"] for row in responses["requests"]} == {"ResponsesFunction"}
    refused = requests.get(f"{url}{API}", params={"status": "6xx"}, timeout=10)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "validation_error"
    assert requests.get(f"{url}{API}", params={"limit": "x"}, timeout=10).status_code == 400


def test_an_unknown_request_id_is_a_404(url: str) -> None:
    missing = requests.get(f"{url}{API}/no-such-id", timeout=10)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "request_not_found"
    assert requests.post(f"{url}{API}/no-such-id/replay", timeout=10).status_code == 404


def test_new_requests_arrive_as_server_sent_events(url: str) -> None:
    sequence = requests.get(f"{url}{API}", timeout=10).json()["sequence"]
    first = requests.get(f"{url}/dev/echo?n=1", timeout=10).headers["x-amzn-RequestId"]
    second = requests.get(f"{url}/dev/echo?n=2", timeout=10).headers["x-amzn-RequestId"]
    stream = requests.get(f"{url}/_emulator/api/events", headers={"Last-Event-ID": str(sequence)}, timeout=10)
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    events = _parse_events(stream.text)
    assert [(event["id"], json.loads(event["data"])["requestId"]) for event in events] == [
        (str(sequence + 1), first),
        (str(sequence + 2), second),
    ]
    assert {event["event"] for event in events} == {"request"}
    assert requests.get(f"{url}/_emulator/api/events?after=x", timeout=10).status_code == 400


def _parse_events(text: str) -> list[dict[str, str]]:
    events = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if "data" in fields:
            events.append(fields)
    return events
