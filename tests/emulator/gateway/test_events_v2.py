"""The HTTP API event, payload format 2.0, built from a request (pure unit tests): every key in
AWS's documented shape ("Working with AWS Lambda proxy integrations for HTTP APIs")."""

from __future__ import annotations

import base64
import re

from emulator.apigateway.events import api_id_for
from emulator.apigateway.events_v2 import build_v2_event, route_key
from emulator.apigateway.request import GatewayRequest

ALL_KEYS = [
    "version",
    "routeKey",
    "rawPath",
    "rawQueryString",
    "cookies",
    "headers",
    "queryStringParameters",
    "requestContext",
    "body",
    "pathParameters",
    "isBase64Encoded",
    "stageVariables",
]
CONTEXT_KEYS = [
    "accountId",
    "apiId",
    "domainName",
    "domainPrefix",
    "http",
    "requestId",
    "routeKey",
    "stage",
    "time",
    "timeEpoch",
]


def _request(**overrides: object) -> GatewayRequest:
    values: dict = {
        "method": "POST",
        "path": "/items/42",
        "query_string": "a=1&a=2&b=x%20y",
        "headers": {
            "Host": "api.example.com:3000",
            "User-Agent": "MyApp/1.0",
            "Content-Type": "application/json",
        },
        "body": b'{"n": 1}',
        "source_ip": "192.168.1.7",
        "protocol": "HTTP/1.1",
    }
    values.update(overrides)
    return GatewayRequest(**values)


def _event(request: GatewayRequest, **overrides: object) -> dict:
    values: dict = {
        "api_logical_id": "HttpApi",
        "stage": "$default",
        "route_key": "POST /items/{id}",
        "path_parameters": {"id": "42"},
        "stage_variables": {"colour": "green"},
        "account_id": "123456789012",
        "request_id": "req-1",
    }
    values.update(overrides)
    return build_v2_event(request, **values)


def test_every_key_in_the_documented_order() -> None:
    request = _request(
        headers={"Host": "h", "Cookie": "a=1; b=2", "Content-Type": "application/json"},
        multi_headers={"Host": ["h"], "Cookie": ["a=1; b=2"], "Content-Type": ["application/json"]},
    )
    event = _event(request)
    assert list(event) == ALL_KEYS
    assert list(event["requestContext"]) == CONTEXT_KEYS
    assert event["version"] == "2.0"
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "POST /items/{id}"
    assert event["rawPath"] == "/items/42"
    assert event["rawQueryString"] == "a=1&a=2&b=x%20y"
    assert event["pathParameters"] == {"id": "42"}
    assert event["stageVariables"] == {"colour": "green"}


def test_keys_with_nothing_to_say_are_left_out_never_null() -> None:
    event = _event(
        _request(query_string="", body=b"", headers={"Host": "h"}),
        path_parameters=None,
        stage_variables=None,
    )
    assert list(event) == [
        "version",
        "routeKey",
        "rawPath",
        "rawQueryString",
        "headers",
        "requestContext",
        "isBase64Encoded",
    ]
    assert event["rawQueryString"] == ""
    assert event["isBase64Encoded"] is False


def test_headers_are_lower_case_and_repeated_ones_joined_with_commas() -> None:
    request = _request(
        headers={"X-Multi": "b", "Accept": "*/*"},
        multi_headers={"X-Multi": ["a", "b"], "x-multi": ["c"], "Accept": ["*/*"]},
    )
    headers = _event(request)["headers"]
    assert headers == {"x-multi": "a,b,c", "accept": "*/*"}


def test_cookies_leave_the_headers_for_their_own_list() -> None:
    request = _request(headers={"Cookie": "s=1; theme=dark"}, multi_headers={"Cookie": ["s=1; theme=dark"]})
    event = _event(request)
    assert event["cookies"] == ["s=1", "theme=dark"]
    assert "cookie" not in event["headers"]


def test_repeated_query_parameters_are_joined_with_commas() -> None:
    assert _event(_request())["queryStringParameters"] == {"a": "1,2", "b": "x y"}


def test_text_bodies_as_text_and_others_base64() -> None:
    assert _event(_request())["body"] == '{"n": 1}'
    binary = _event(_request(headers={"Content-Type": "image/png"}, body=b"\x89PNG\x00"))
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x89PNG\x00"
    form = _event(_request(headers={"Content-Type": "application/x-www-form-urlencoded"}, body=b"a=1"))
    assert (form["body"], form["isBase64Encoded"]) == ("a=1", False)


def test_request_context_values() -> None:
    context = _event(_request())["requestContext"]
    assert context["accountId"] == "123456789012"
    assert context["apiId"] == api_id_for("HttpApi")
    assert (context["domainName"], context["domainPrefix"]) == ("api.example.com:3000", "api")
    assert context["http"] == {
        "method": "POST",
        "path": "/items/42",
        "protocol": "HTTP/1.1",
        "sourceIp": "192.168.1.7",
        "userAgent": "MyApp/1.0",
    }
    assert (context["requestId"], context["stage"]) == ("req-1", "$default")
    assert re.fullmatch(r"\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000", context["time"])
    assert isinstance(context["timeEpoch"], int)


def test_a_named_stage_keeps_its_prefix_in_the_raw_path() -> None:
    event = _event(_request(path="/prod/items/42"), stage="prod")
    assert (event["rawPath"], event["requestContext"]["stage"]) == ("/prod/items/42", "prod")


def test_route_keys() -> None:
    assert route_key("GET", "/items/{id}") == "GET /items/{id}"
    assert route_key("ANY", "$default") == "$default"
