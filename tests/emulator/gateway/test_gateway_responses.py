"""GatewayResponses: headers on API Gateway's own answers, never on the function's."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.apigateway.gateway import ApiGateway
from emulator.apigateway.gateway_responses import GatewayResponses, render_template
from emulator.apigateway.proxy_response import (
    GatewayResponse,
    endpoint_timed_out,
    gateway_error,
    missing_authentication_token,
    request_too_large,
    too_many_requests,
)
from emulator.template.model import RestApiSpec, Route
from tests.emulator.fixtures import gateway_request, rest_app


@dataclass(frozen=True)
class ResponseSpec:
    headers: Mapping[str, str]
    status_code: int | None = None
    templates: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiWithResponses(RestApiSpec):
    # The field the model is expected to carry (see gateway_responses.py).
    gateway_responses: Mapping[str, ResponseSpec] = field(default_factory=dict)


CORS = {"Access-Control-Allow-Origin": "https://app.example"}


def test_default_4xx_and_5xx_apply_to_gateway_answers() -> None:
    responses = GatewayResponses({"DEFAULT_4XX": ResponseSpec(CORS), "DEFAULT_5XX": ResponseSpec(CORS)})
    for answer in (
        missing_authentication_token(),
        too_many_requests(),
        request_too_large(),
        endpoint_timed_out(),
    ):
        assert responses.apply(answer).header("Access-Control-Allow-Origin") == "https://app.example"


def test_specific_type_wins_and_may_change_the_status() -> None:
    responses = GatewayResponses(
        {
            "DEFAULT_4XX": ResponseSpec(CORS),
            "MISSING_AUTHENTICATION_TOKEN": ResponseSpec({"X-Why": "no route"}, 404),
        }
    )
    answer = responses.apply(missing_authentication_token())
    assert answer.status == 404
    assert answer.header("X-Why") == "no route"
    assert answer.header("Access-Control-Allow-Origin") is None
    assert responses.apply(too_many_requests()).header("Access-Control-Allow-Origin") == "https://app.example"


def test_function_responses_are_untouched() -> None:
    responses = GatewayResponses({"DEFAULT_5XX": ResponseSpec(CORS), "DEFAULT_4XX": ResponseSpec(CORS)})
    from_function = GatewayResponse(500, [("Content-Type", "application/json")], b"{}")
    assert responses.apply(from_function).header("Access-Control-Allow-Origin") is None


def test_unknown_path_gets_the_apis_gateway_response_headers() -> None:
    api = ApiWithResponses(
        logical_id="Api", stage_name="prod", gateway_responses={"DEFAULT_4XX": ResponseSpec(CORS)}
    )
    app = rest_app(api, (Route("Api", "/a", "GET", "Fn", "E"),))
    runtime: Any = None  # never reached: nothing is invoked for an unknown path
    gateway = ApiGateway(app, runtime)
    response = asyncio.run(gateway.handle(gateway_request("GET", "/prod/nope")))
    assert response.status == 403
    assert response.header("Access-Control-Allow-Origin") == "https://app.example"


def _refused_token() -> GatewayResponse:
    """The authorizer's refusal as the gateway builds it (see ApiGateway._authorize)."""
    return GatewayResponse(
        401,
        [("Content-Type", "application/json"), ("x-amzn-ErrorType", "UnauthorizedException")],
        b'{"message":"Unauthorized"}',
        from_gateway=True,
        gateway_response_type="UNAUTHORIZED",
    )


def test_a_response_template_replaces_the_body_and_sets_its_content_type() -> None:
    shape = '{"error":{"code":"unauthorized","message":"Authentication is required."}}'
    responses = GatewayResponses(
        {
            "DEFAULT_4XX": ResponseSpec(CORS),
            "UNAUTHORIZED": ResponseSpec(
                {**CORS, "WWW-Authenticate": 'Bearer error="invalid_token"'},
                401,
                {"text/plain": "no", "application/json": shape},
            ),
        }
    )
    answer = responses.apply(_refused_token())
    assert answer.status == 401
    assert answer.body == shape.encode()
    assert answer.header("Content-Type") == "application/json"
    assert answer.header("WWW-Authenticate") == 'Bearer error="invalid_token"'
    assert answer.header("Access-Control-Allow-Origin") == "https://app.example"
    assert answer.header("x-amzn-ErrorType") == "UnauthorizedException"
    # a type without a template of its own keeps the gateway's body
    assert responses.apply(too_many_requests()).body == b'{"message":"Too Many Requests"}'


def test_context_error_variables_are_substituted_as_aws_does() -> None:
    template = (
        '{"m":"$context.error.message","s":$context.error.messageString,'
        '"t":"${context.error.responseType}","other":"$context.requestId"}'
    )
    responses = GatewayResponses({"DEFAULT_4XX": ResponseSpec({}, None, {"application/json": template})})
    denied = gateway_error(403, 'Say "no"', "AccessDeniedException", response_type="ACCESS_DENIED")
    body = responses.apply(denied).body.decode()
    assert body == ('{"m":"Say "no"","s":"Say \\"no\\"","t":"ACCESS_DENIED","other":"$context.requestId"}')


def test_the_message_of_an_authorizer_deny_body_is_read_too() -> None:
    rendered = render_template(
        "$context.error.messageString", message="User is not authorized", response_type="ACCESS_DENIED"
    )
    assert rendered == '"User is not authorized"'
    denied = GatewayResponse(
        403,
        [("Content-Type", "application/json")],
        b'{"Message":"User is not authorized to access this resource"}',
        from_gateway=True,
        gateway_response_type="ACCESS_DENIED",
    )
    responses = GatewayResponses(
        {"ACCESS_DENIED": ResponseSpec({}, None, {"application/json": '{"e":$context.error.messageString}'})}
    )
    assert responses.apply(denied).body == b'{"e":"User is not authorized to access this resource"}'


def test_a_variable_that_is_not_substituted_is_named_in_a_warning(caplog) -> None:
    with caplog.at_level("WARNING"):
        GatewayResponses(
            {"UNAUTHORIZED": ResponseSpec({}, None, {"application/json": '{"id":"$context.requestId"}'})},
            api="AuthApi",
        )
    (record,) = [r for r in caplog.records if "GatewayResponses.UNAUTHORIZED" in r.getMessage()]
    assert "AuthApi" in record.getMessage()
    assert "$context.requestId" in record.getMessage()
