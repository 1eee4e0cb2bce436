"""The REST proxy event, payload 1.0, built from a request (pure unit tests)."""

from __future__ import annotations

import base64
import re
import uuid

from emulator.apigateway.binary import BinaryMediaTypes
from emulator.apigateway.events import ProxyEventBuilder, clf_time
from emulator.apigateway.request import GatewayRequest
from emulator.apigateway.routing import ResourceTree, Router, StagedApi
from emulator.template.model import Route
from tests.emulator.proxy_event_keys import CONTEXT_KEYS, EVENT_KEYS, IDENTITY_KEYS


def _builder(stage_variables: dict | None = None, binary: tuple[str, ...] = ()) -> ProxyEventBuilder:
    return ProxyEventBuilder(
        api_logical_id="Api",
        stage="prod",
        account_id="123456789012",
        region="eu-west-1",
        stage_variables=stage_variables,
        binary_media_types=BinaryMediaTypes(binary),
    )


def _event(request: GatewayRequest, builder: ProxyEventBuilder | None = None) -> dict:
    tree = ResourceTree(
        "Api", [Route("Api", "/items/{id}", "ANY", "Fn", "E"), Route("Api", "/", "GET", "Fn", "R")]
    )
    match = Router([StagedApi("Api", "prod", tree)]).route(request.method, request.path)
    assert match is not None
    return (builder or _builder()).build(request, match)


def _request(**overrides: object) -> GatewayRequest:
    values: dict = {
        "method": "GET",
        "path": "/prod/items/a b",
        "query_string": "",
        "headers": {"Host": "localhost:3000", "User-Agent": "MyApp/1.0 CFNetwork"},
        "body": b"",
        "source_ip": "192.168.1.7",
        "protocol": "HTTP/1.1",
    }
    values.update(overrides)
    return GatewayRequest(**values)


def test_every_key_in_the_documented_order_with_nulls() -> None:
    event = _event(_request(path="/prod/"))
    assert list(event) == EVENT_KEYS
    assert event["resource"] == "/"
    assert event["path"] == "/"
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["stageVariables"] is None
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert set(context) == CONTEXT_KEYS
    assert "authorizer" not in context
    assert set(context["identity"]) == IDENTITY_KEYS
    assert context["path"] == "/prod/"


def test_request_context_values() -> None:
    event = _event(_request())
    context = event["requestContext"]
    assert event["path"] == "/items/a b"
    assert event["pathParameters"] == {"id": "a b"}
    assert context["path"] == f"/prod{event['path']}"
    assert context["resourcePath"] == "/items/{id}"
    assert context["stage"] == "prod"
    assert context["accountId"] == "123456789012"
    assert re.fullmatch(r"[a-z0-9]{10}", context["apiId"])
    assert re.fullmatch(r"[a-z0-9]{6}", context["resourceId"])
    assert re.fullmatch(r"\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000", context["requestTime"])
    assert isinstance(context["requestTimeEpoch"], int)
    assert context["requestTimeEpoch"] > 1_600_000_000_000
    uuid.UUID(context["requestId"])
    assert context["identity"]["sourceIp"] == "192.168.1.7"
    assert context["identity"]["userAgent"] == "MyApp/1.0 CFNetwork"
    assert context["identity"]["user"] is None
    assert context["domainName"] == "localhost:3000"
    assert context["protocol"] == "HTTP/1.1"


def test_fresh_request_id_each_time() -> None:
    ids = {_event(_request())["requestContext"]["requestId"] for _ in range(5)}
    assert len(ids) == 5


def test_query_string_last_value_wins_and_multi_values_kept() -> None:
    event = _event(_request(query_string="a=1&a=2&b=x%20y&c="))
    assert event["queryStringParameters"] == {"a": "2", "b": "x y", "c": ""}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x y"], "c": [""]}


def test_headers_keep_their_case_and_multi_value_form() -> None:
    event = _event(_request(headers={"X-Custom-Header": "v", "Host": "h"}))
    assert event["headers"] == {"X-Custom-Header": "v", "Host": "h"}
    assert event["multiValueHeaders"] == {"X-Custom-Header": ["v"], "Host": ["h"]}


def test_stage_variables_when_defined() -> None:
    event = _event(_request(), _builder(stage_variables={"colour": "blue"}))
    assert event["stageVariables"] == {"colour": "blue"}


def test_text_body_raw_and_binary_body_base64() -> None:
    text = _event(_request(method="POST", body=b'{"a": 1}', headers={"Content-Type": "application/json"}))
    assert text["body"] == '{"a": 1}'
    assert text["isBase64Encoded"] is False
    raw = b"\x89PNG\x00"
    binary = _event(
        _request(method="POST", body=raw, headers={"Content-Type": "image/png"}),
        _builder(binary=("image/*",)),
    )
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == raw


def test_clf_time() -> None:
    assert clf_time(0) == "01/Jan/1970:00:00:00 +0000"
