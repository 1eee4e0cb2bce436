"""The gateway over real HTTP: ``python -m emulator serve --port 0`` on the test app, one per module.

The app (``app/template.yaml``): an echo handler returning its event, a handler answering well-formed
or malformed proxy responses, slow handlers (one past its Timeout, one past the shortened
integration timeout), and a TOKEN authorizer.
"""

from __future__ import annotations

import base64
import uuid
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
import requests

from tests.emulator.gateway.conftest import Shim
from tests.emulator.proxy_event_keys import EVENT_KEYS

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
INTERNAL_ERROR = b'{"message": "Internal server error"}'
MISSING_TOKEN = b'{"message":"Missing Authentication Token"}'


def _event(response: requests.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


# -- the event ----------------------------------------------------------------------------------


def test_event_has_every_documented_key_and_real_values(shim: Shim) -> None:
    response = shim.get(
        "/test/echo?x=1&x=2&word=a%20b",
        headers={"User-Agent": "GatewayTest/1.0", "X-Custom-Header": "hello"},
    )
    event = _event(response)
    assert list(event) == EVENT_KEYS
    assert event["resource"] == "/echo"
    assert event["path"] == "/echo"
    assert event["httpMethod"] == "GET"
    assert event["headers"]["User-Agent"] == "GatewayTest/1.0"
    assert event["headers"]["X-Custom-Header"] == "hello"
    assert event["multiValueHeaders"]["X-Custom-Header"] == ["hello"]
    # Added by API Gateway on the way in.
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["headers"]["X-Forwarded-Port"] == shim.url.rsplit(":", 1)[1]
    assert event["headers"]["X-Amzn-Trace-Id"].startswith("Root=1-")
    assert event["queryStringParameters"] == {"x": "2", "word": "a b"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "word": ["a b"]}
    assert event["pathParameters"] is None
    assert event["stageVariables"] == {"colour": "blue"}
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["path"] == "/test/echo"
    assert context["stage"] == "test"
    assert context["resourcePath"] == "/echo"
    assert context["httpMethod"] == "GET"
    assert context["protocol"] == "HTTP/1.1"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "GatewayTest/1.0"
    assert context["identity"]["caller"] is None
    assert "authorizer" not in context
    assert response.headers["x-amzn-RequestId"] == context["requestId"]


def test_fresh_request_id_per_request(shim: Shim) -> None:
    ids = {_event(shim.get("/test/echo"))["requestContext"]["requestId"] for _ in range(3)}
    assert len(ids) == 3
    for request_id in ids:
        uuid.UUID(request_id)


def test_paths_answer_without_the_stage_prefix(shim: Shim) -> None:
    event = _event(shim.get("/echo"))
    assert event["path"] == "/echo"
    assert event["requestContext"]["path"] == "/test/echo"


def test_stage_variables_null_when_the_stage_has_none(shim: Shim) -> None:
    event = _event(shim.get("/Prod/plain"))
    assert event["stageVariables"] is None
    assert event["requestContext"]["stage"] == "Prod"


def test_post_body_is_passed_raw(shim: Shim) -> None:
    event = _event(
        shim.request("POST", "/test/echo", data='{"a": 1}', headers={"Content-Type": "application/json"})
    )
    assert event["body"] == '{"a": 1}'
    assert event["isBase64Encoded"] is False


# -- routing ------------------------------------------------------------------------------------


def test_literal_parameter_and_greedy_resources(shim: Shim) -> None:
    assert _event(shim.get("/test/items/special"))["resource"] == "/items/special"
    fallback = _event(shim.request("DELETE", "/test/items/special"))
    assert fallback["resource"] == "/items/{id}"
    assert fallback["pathParameters"] == {"id": "special"}
    assert _event(shim.request("PATCH", "/test/items/42"))["pathParameters"] == {"id": "42"}
    unicode = _event(shim.get("/test/items/caf%C3%A9%20cr%C3%A8me"))
    assert unicode["pathParameters"] == {"id": "café crème"}
    greedy = _event(shim.request("PUT", "/test/files/a/b/c.txt"))
    assert greedy["resource"] == "/files/{proxy+}"
    assert greedy["pathParameters"] == {"proxy": "a/b/c.txt"}


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/test/nope"), ("PUT", "/test/echo"), ("GET", "/test/files"), ("GET", "/")]
)
def test_missing_authentication_token(shim: Shim, method: str, path: str) -> None:
    response = shim.request(method, path)
    assert response.status_code == 403
    assert response.content == MISSING_TOKEN


def test_trailing_slash_reaches_the_resource(shim: Shim) -> None:
    event = _event(shim.get("/test/echo/"))
    assert event["resource"] == "/echo"
    assert event["path"] == "/echo/"


# -- CORS ---------------------------------------------------------------------------------------


def test_preflight_is_answered_without_invoking_the_function(shim: Shim) -> None:
    # /respond/raise would be a 502 if the function ran.
    response = shim.request("OPTIONS", "/test/respond/raise", headers={"Origin": "https://app.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert response.headers["Access-Control-Allow-Methods"] == "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type,Authorization"
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert shim.request("OPTIONS", "/test/echo").headers["Access-Control-Allow-Methods"] == "GET,OPTIONS,POST"


def test_function_responses_get_no_cors_headers_from_the_gateway(shim: Shim) -> None:
    # As deployed: SAM's Cors only covers the preflight; the function must add its own.
    response = shim.get("/test/echo", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


# -- responses ----------------------------------------------------------------------------------


def test_well_formed_response_and_default_content_type(shim: Shim) -> None:
    created = shim.get("/test/respond/ok")
    assert created.status_code == 201
    assert created.text == "created"
    assert shim.get("/test/respond/no-content-type").headers["Content-Type"] == "application/json"


def test_multi_value_headers_and_every_set_cookie(shim: Shim) -> None:
    response = shim.get("/test/respond/cookies")
    assert response.status_code == 200
    cookies = response.raw.headers.getlist("Set-Cookie")
    assert cookies == ["a=1; Path=/", "b=2; Path=/"]
    assert response.raw.headers.getlist("X-Multi") == ["x", "y"]
    assert response.headers["X-Single"] == "one"


def test_string_status_and_number_body_are_read_as_api_gateway_reads_them(shim: Shim) -> None:
    response = shim.get("/test/respond/lenient")
    assert (response.status_code, response.text) == (202, "42")


def test_a_header_in_both_maps_is_one_merged_list(shim: Shim) -> None:
    response = shim.get("/test/respond/merged")
    assert response.headers["MyCustomHeader"] == "Value1, Value2, Custom"


@pytest.mark.parametrize(
    "kind", ["raise", "not-a-dict", "unknown-key", "body-not-string", "status-not-int", "exit"]
)
def test_malformed_or_failed_responses_are_502_and_the_shim_serves_on(shim: Shim, kind: str) -> None:
    response = shim.get(f"/test/respond/{kind}")
    assert response.status_code == 502
    assert response.content == INTERNAL_ERROR
    assert shim.get("/test/respond/ok").status_code == 201


def test_answers_and_output_larger_than_a_pipe_arrive_whole(shim: Shim) -> None:
    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda _: shim.get("/test/respond/big"), range(4)))
    assert [(r.status_code, len(r.content)) for r in responses] == [(200, 3_000_000)] * 4
    assert shim.log_text().count("big-output ooo") == 4


def test_handler_output_is_logged_between_its_start_and_end(shim: Shim) -> None:
    marker = f"big-output {'o' * 20}"
    for _ in range(3):  # awaited on the event loop: the output is forwarded as it arrives
        assert shim.get("/test/respond/big").status_code == 200
    # END/REPORT are written just after the answer is sent, before the loop reads another
    # request: one more request is the barrier after which the last END is in the log.
    assert shim.get("/test/echo").status_code == 200
    lines = shim.log_text().splitlines()
    outputs = [i for i, line in enumerate(lines) if line.startswith(marker)]
    assert len(outputs) >= 3
    for index in outputs[-3:]:
        start = next(line for line in reversed(lines[:index]) if line.startswith("START RequestId:"))
        end = next(line for line in lines[index:] if line.startswith(("START RequestId:", "END RequestId:")))
        assert end.startswith("END RequestId:")
        assert start.split()[2] == end.split()[2]


def test_malformed_response_reason_is_logged(shim: Shim) -> None:
    shim.get("/test/respond/unknown-key")
    assert "Malformed Lambda proxy response" in shim.log_text()
    shim.get("/test/respond/raise")
    assert "handler blew up on purpose" in shim.log_text()


def test_function_timeout_is_502_then_recovers(shim: Shim) -> None:
    response = shim.get("/test/slow")
    assert response.status_code == 502
    assert response.content == INTERNAL_ERROR
    assert "Task timed out after 1.00 seconds" in shim.log_text()
    assert shim.get("/test/slow?seconds=0").status_code == 200


def test_integration_timeout_is_504(shim: Shim) -> None:
    # The integration timeout is shortened to 4 s for this server; the function's Timeout is 10 s.
    response = shim.get("/test/long?seconds=6")
    assert response.status_code == 504
    assert response.content == b'{"message": "Endpoint request timed out"}'


def test_lambda_throttle_is_500(shim: Shim) -> None:
    # Reserved concurrency 1 and two simultaneous 1.5 s requests: Lambda throttles one of them
    # (after the runtime's bounded wait) and API Gateway answers 500, not Lambda's 429.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(shim.get, "/test/single?seconds=1.5") for _ in range(2)]
        responses = [future.result() for future in futures]
    assert sorted(r.status_code for r in responses) == [200, 500]
    throttled = next(r for r in responses if r.status_code == 500)
    assert throttled.content == INTERNAL_ERROR


# -- binary -------------------------------------------------------------------------------------


def test_binary_request_body_arrives_base64(shim: Shim) -> None:
    binary = shim.request("POST", "/test/respond/upload", data=PNG, headers={"Content-Type": "image/png"})
    assert binary.text == f"True:{base64.b64encode(PNG).decode()}"
    text = shim.request("POST", "/test/respond/upload", data=b"plain", headers={"Content-Type": "text/plain"})
    assert text.text == "False:plain"


def test_base64_response_decoded_when_accept_is_binary(shim: Shim) -> None:
    binary = shim.get("/test/respond/png", headers={"Accept": "image/png"})
    assert binary.content == PNG
    assert binary.headers["Content-Type"] == "image/png"
    as_text = shim.get("/test/respond/png", headers={"Accept": "application/json"})
    assert as_text.content == base64.b64encode(PNG)


# -- limits -------------------------------------------------------------------------------------


def test_payload_over_10_mb_is_413(shim: Shim) -> None:
    response = shim.request("POST", "/test/echo", data=b"x" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.text == "HTTP content length exceeded 10485760 bytes."
    assert shim.request("POST", "/test/echo", data=b"x" * 1024).status_code == 200


def test_an_event_over_lambdas_6_mb_is_refused_with_500_before_the_function_runs(shim: Shim) -> None:
    """Under API Gateway's 10 MB but over Lambda's 6 MB synchronous invocation payload."""
    response = shim.request("POST", "/test/respond/upload", data=b"x" * 6_400_000)
    assert response.status_code == 500
    assert response.content == INTERNAL_ERROR
    assert "Execution failed: Lambda refused to invoke" in shim.log_text()
    assert "Request must be smaller than 6291456 bytes for the InvokeFunction operation" in shim.log_text()
    under = shim.request("POST", "/test/respond/upload", data=b"y" * 5_000_000)
    assert under.status_code == 200
    assert under.content == b"False:" + b"y" * 5_000_000


def test_a_response_over_lambdas_6_mb_is_502_not_a_truncated_body(shim: Shim) -> None:
    response = shim.get("/test/respond/over-6-mb")
    assert response.status_code == 502
    assert response.content == INTERNAL_ERROR
    assert "Function.ResponseSizeTooLarge" in shim.log_text()


def test_stage_throttling_is_429(shim: Shim) -> None:
    # MethodSettings for GET /throttled: burst 1, refilled at 0.001 request/s.
    statuses = [shim.get("/test/throttled").status_code for _ in range(2)]
    assert statuses == [200, 429]
    response = shim.get("/test/throttled")
    assert response.content == b'{"message":"Too Many Requests"}'
    assert shim.get("/test/echo").status_code == 200  # other methods are not throttled


# -- authorizer ---------------------------------------------------------------------------------


def test_authorizer_allows_and_passes_its_context(shim: Shim) -> None:
    event = _event(shim.get("/test/secure", headers={"Authorization": "Bearer allow-alice"}))
    authorizer = event["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "alice"
    assert authorizer["tier"] == "gold"


def test_one_function_behind_and_without_an_authorizer_alternately(shim: Shim) -> None:
    # The same warm workers serve both: awaited on the event loop for /echo, read by a thread
    # for /secure (its authorizer runs first). Neither may lose or steal the other's answer.
    with ThreadPoolExecutor(4) as pool:
        paths = ["/test/echo", "/test/secure"] * 20
        headers = {"Authorization": "Bearer allow-alice"}
        events = list(pool.map(lambda path: _event(shim.get(path, headers=headers)), paths))
    assert [event["resource"] for event in events] == ["/echo", "/secure"] * 20
    assert len({event["requestContext"]["requestId"] for event in events}) == 40


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer junk"}, 401), ({"Authorization": "Bearer deny"}, 403)],
)
def test_authorizer_refuses(shim: Shim, headers: dict[str, str], status: int) -> None:
    response = shim.get("/test/secure", headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.json() == {"message": "Unauthorized"}


def test_api_key_required(shim: Shim) -> None:
    missing = shim.get("/test/keyed")
    assert missing.status_code == 403
    assert missing.content == b'{"message":"Forbidden"}'
    assert shim.get("/test/keyed", headers={"X-Api-Key": "any-key"}).status_code == 200


# -- the server ---------------------------------------------------------------------------------


def test_banner_and_health(shim: Shim) -> None:
    text = "\n".join(shim.banner)
    assert f"{shim.url}/test" in text
    assert "/test/secure" in text
    assert "TokenAuth" in text
    health = shim.get("/_emulator/health").json()
    assert health["status"] == "ok"
    assert health["aws"]["state"] == "up"  # the embedded AWS endpoint, which serve watches


def test_default_authorizer_also_guards_the_cors_preflight(shim: Shim) -> None:
    # SAM's AddDefaultAuthorizerToCorsPreflight defaults to true: the preflight needs a token too.
    assert shim.request("OPTIONS", "/guarded/guarded/thing").status_code == 401
    allowed = shim.request("OPTIONS", "/guarded/guarded/thing", headers={"Authorization": "allow-bob"})
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "*"
    assert shim.get("/guarded/guarded/thing").status_code == 401
    event = _event(shim.get("/guarded/guarded/thing", headers={"Authorization": "allow-bob"}))
    assert event["requestContext"]["authorizer"]["principalId"] == "bob"
    open_event = _event(shim.get("/guarded/guarded/open"))
    assert "authorizer" not in open_event["requestContext"]


def test_local_identity_provider_is_mounted(shim: Shim) -> None:
    response = shim.get("/_emulator/idp/jwks.json")
    assert response.status_code == 200
    assert response.json()["keys"]


def test_zz_sigterm_stops_the_shim_and_its_children(shim: Shim) -> None:
    # Named zz: runs last in this module (pytest keeps file order), it ends the module's server.
    serve = psutil.Process(shim.pid)
    children = serve.children(recursive=True)
    assert children, "expected worker processes and the AWS endpoint"
    serve.terminate()
    assert serve.wait(timeout=20) == 0  # serve is this process's child: its exit code
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
