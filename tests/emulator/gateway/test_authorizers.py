"""Lambda authorizers: identity checks, events, policy evaluation, errors and the cache.

The functions run in-process through a small but real implementation of the LambdaRuntime
protocol (no process is needed to test this logic).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from emulator.apigateway.authorizers import (
    AuthorizationOutcome,
    LambdaAuthorizers,
    build_request_event,
    evaluate_policy,
    wildcard_match,
)
from emulator.clock import EmulatorClock
from emulator.lambda_runtime.api import InvocationError, InvocationResult
from emulator.template.model import AuthorizerSpec, FunctionSpec, RestApiSpec

ARN_PREFIX = "arn:aws:execute-api:us-east-1:123456789012:api123/prod"
GET_ITEMS = f"{ARN_PREFIX}/GET/items"


class InProcessRuntime:
    """LambdaRuntime over plain Python callables; records each event it runs."""

    def __init__(self, handlers: Mapping[str, Callable[[dict], Any]]) -> None:
        self.handlers = handlers
        self.events: list[tuple[str, dict]] = []

    async def call_async(
        self, function_name: str, event: Mapping[str, Any], **_: Any
    ) -> Future[InvocationResult]:
        """Runs the handler at once: the future is done when it is returned (``wait_s`` is moot)."""
        self.events.append((function_name, dict(event)))
        request_id = str(uuid.uuid4())
        try:
            result = InvocationResult(
                request_id=request_id, payload=self.handlers[function_name](dict(event))
            )
        except Exception as exc:
            error = InvocationError("Unhandled", type(exc).__name__, str(exc))
            result = InvocationResult(request_id=request_id, error=error)
        future: Future[InvocationResult] = Future()
        future.set_result(result)
        return future

    def close(self) -> None:
        pass


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def policy(effect: str, resource: Any, action: Any = "execute-api:Invoke", **extra: Any) -> dict:
    return {
        "principalId": "user-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": action, "Effect": effect, "Resource": resource}],
        },
        **extra,
    }


def proxy_event(
    headers: dict | None = None, query: dict | None = None, stage_variables: dict | None = None
) -> dict:
    return {
        "resource": "/items",
        "path": "/items",
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in (headers or {}).items()} or None,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": None,
        "stageVariables": stage_variables,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api123",
            "stage": "prod",
            "identity": {"sourceIp": "10.0.0.7", "userAgent": "test"},
            "authorizer": {"stale": "must not be sent"},
        },
    }


def make(
    handler: Callable[[dict], Any], *, clock: Callable[[], float] | None = None, **authorizer: Any
) -> tuple[LambdaAuthorizers, InProcessRuntime, FakeClock]:
    spec = AuthorizerSpec(
        name="Auth",
        function_id="AuthFn",
        type=authorizer.pop("type", "TOKEN"),
        identity_headers=authorizer.pop("identity_headers", ("Authorization",)),
        **authorizer,
    )
    api = RestApiSpec(logical_id="ServerlessRestApi", stage_name="prod", authorizers={"Auth": spec})
    function = FunctionSpec("AuthFn", "auth-fn", "auth.handler", "python3.12", Path("."))
    runtime = InProcessRuntime({"auth-fn": handler})
    fake_clock = FakeClock()
    authorizers = LambdaAuthorizers(api, runtime, {"AuthFn": function}, clock=clock or fake_clock)
    return authorizers, runtime, fake_clock


def authorize(
    authorizers: LambdaAuthorizers, name: str, event: dict, method_arn: str
) -> AuthorizationOutcome:
    return asyncio.run(authorizers.authorize(name, event, method_arn))


# -- policy matching -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (GET_ITEMS, GET_ITEMS, True),
        (f"{ARN_PREFIX}/*", GET_ITEMS, True),
        ("arn:aws:execute-api:us-east-1:123456789012:api123/*/GET/*", GET_ITEMS, True),
        ("arn:aws:execute-api:*:*:*", GET_ITEMS, True),
        (f"{ARN_PREFIX}/GET/item?", GET_ITEMS, True),
        (f"{ARN_PREFIX}/GET/item?", f"{ARN_PREFIX}/GET/item", False),
        (f"{ARN_PREFIX}/POST/*", GET_ITEMS, False),
        (f"{ARN_PREFIX}/GET/Items", GET_ITEMS, False),  # resources are case-sensitive
        ("*", GET_ITEMS, True),
        ("arn:aws:execute-api:us-east-1:123456789012:api123/prod/GET/items.json", GET_ITEMS, False),
    ],
)
def test_wildcard_match(pattern, value, expected):
    assert wildcard_match(pattern, value) is expected


def test_dot_and_regex_characters_are_literal():
    assert not wildcard_match("a.c", "abc")
    assert wildcard_match("a+(b)", "a+(b)")


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        ([{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": GET_ITEMS}], "ALLOW"),
        ([{"Action": "*", "Effect": "Allow", "Resource": "*"}], "ALLOW"),
        (
            [{"Action": ["s3:GetObject", "execute-api:*"], "Effect": "Allow", "Resource": [GET_ITEMS]}],
            "ALLOW",
        ),
        ([{"Action": "EXECUTE-API:invoke", "Effect": "allow", "Resource": GET_ITEMS}], "ALLOW"),
        ([{"Action": "execute-api:ManageConnections", "Effect": "Allow", "Resource": "*"}], "IMPLICIT_DENY"),
        (
            [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": f"{ARN_PREFIX}/POST/*"}],
            "IMPLICIT_DENY",
        ),
        ([], "IMPLICIT_DENY"),
        (
            [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"},
                {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": f"{ARN_PREFIX}/GET/*"},
            ],
            "EXPLICIT_DENY",
        ),
        (
            [
                {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": f"{ARN_PREFIX}/POST/*"},
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"},
            ],
            "ALLOW",
        ),
    ],
)
def test_evaluate_policy(statements, expected):
    assert evaluate_policy({"Version": "2012-10-17", "Statement": statements}, GET_ITEMS) == expected


def test_a_single_statement_object_is_accepted():
    document = {"Statement": {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": GET_ITEMS}}
    assert evaluate_policy(document, GET_ITEMS) == "ALLOW"


# -- TOKEN authorizers -------------------------------------------------------------------------


def test_token_event_and_allow_context():
    def handler(event):
        return policy(
            "Allow", event["methodArn"], context={"userId": "u1", "admin": True, "n": 3, "none": None}
        )

    authorizers, runtime, _ = make(handler)
    outcome = authorize(authorizers, "Auth", proxy_event({"authorization": "Bearer abc"}), GET_ITEMS)
    assert runtime.events == [
        ("auth-fn", {"type": "TOKEN", "authorizationToken": "Bearer abc", "methodArn": GET_ITEMS})
    ]
    assert outcome.allowed
    assert (outcome.status, outcome.body) == (None, None)
    context = dict(outcome.authorizer_context)
    assert isinstance(context.pop("integrationLatency"), int)
    assert context == {"principalId": "user-1", "userId": "u1", "admin": "true", "n": "3", "none": None}


@pytest.mark.parametrize("headers", [None, {}, {"Authorization": ""}, {"X-Other": "Bearer abc"}])
def test_missing_token_is_401_without_invoking(headers):
    authorizers, runtime, _ = make(lambda event: policy("Allow", "*"))
    outcome = authorize(authorizers, "Auth", proxy_event(headers), GET_ITEMS)
    assert (outcome.allowed, outcome.status, outcome.body) == (False, 401, {"message": "Unauthorized"})
    assert runtime.events == []


def test_validation_expression_failure_is_401_without_invoking():
    authorizers, runtime, _ = make(lambda event: policy("Allow", "*"), validation_expression=r"Bearer [a-z]+")
    assert (
        authorize(authorizers, "Auth", proxy_event({"Authorization": "Basic xyz"}), GET_ITEMS).status == 401
    )
    assert (
        authorize(authorizers, "Auth", proxy_event({"Authorization": "Bearer abc1"}), GET_ITEMS).status == 401
    )
    assert runtime.events == []
    assert authorize(authorizers, "Auth", proxy_event({"Authorization": "Bearer abc"}), GET_ITEMS).allowed


def test_unauthorized_error_is_401():
    def handler(event):
        raise Exception("Unauthorized")  # what AWS's blueprint authorizers do

    authorizers, _, _ = make(handler)
    outcome = authorize(authorizers, "Auth", proxy_event({"Authorization": "t"}), GET_ITEMS)
    assert (outcome.status, outcome.body) == (401, {"message": "Unauthorized"})


@pytest.mark.parametrize(
    "handler",
    [
        pytest.param(lambda event: 1 / 0, id="other-error"),
        pytest.param(lambda event: "Allow", id="not-an-object"),
        pytest.param(lambda event: {"principalId": "u"}, id="no-policy"),
        pytest.param(lambda event: {"policyDocument": {"Statement": []}}, id="no-principal"),
        pytest.param(
            lambda event: policy("Allow", "*", context={"nested": {"a": 1}}), id="object-in-context"
        ),
    ],
)
def test_other_errors_and_malformed_output_are_500_null_message(handler):
    authorizers, _, _ = make(handler)
    outcome = authorize(authorizers, "Auth", proxy_event({"Authorization": "t"}), GET_ITEMS)
    assert (outcome.allowed, outcome.status, outcome.body) == (False, 500, {"message": None})


def test_explicit_and_implicit_deny_are_403_with_aws_bodies():
    authorizers, _, _ = make(lambda event: policy("Deny", event["methodArn"]))
    outcome = authorize(authorizers, "Auth", proxy_event({"Authorization": "t"}), GET_ITEMS)
    assert (outcome.status, outcome.body) == (
        403,
        {"Message": "User is not authorized to access this resource with an explicit deny"},
    )
    authorizers, _, _ = make(lambda event: policy("Allow", f"{ARN_PREFIX}/POST/items"))
    outcome = authorize(authorizers, "Auth", proxy_event({"Authorization": "t"}), GET_ITEMS)
    assert (outcome.status, outcome.body) == (
        403,
        {"Message": "User is not authorized to access this resource"},
    )


# -- cache --------------------------------------------------------------------------------------


def test_cached_policy_is_reused_and_reevaluated_against_each_method_arn():
    authorizers, runtime, clock = make(
        lambda event: policy("Allow", event["methodArn"]), reauthorize_every=300
    )
    headers = {"Authorization": "token-a"}
    first = authorize(authorizers, "Auth", proxy_event(headers), GET_ITEMS)
    second = authorize(authorizers, "Auth", proxy_event(headers), GET_ITEMS)
    assert first.allowed
    assert second.allowed
    assert len(runtime.events) == 1
    assert second.authorizer_context["integrationLatency"] == 0
    # The cached policy only allows GET /items: another method is denied from the cache.
    other = authorize(authorizers, "Auth", proxy_event(headers), f"{ARN_PREFIX}/DELETE/items")
    assert other.status == 403
    assert len(runtime.events) == 1
    # Another token is another cache entry.
    authorize(authorizers, "Auth", proxy_event({"Authorization": "token-b"}), GET_ITEMS)
    assert len(runtime.events) == 2
    clock.now += 300
    authorize(authorizers, "Auth", proxy_event(headers), GET_ITEMS)
    assert len(runtime.events) == 3


def test_a_cached_policy_ages_with_the_emulator_clock():
    emulator_clock = EmulatorClock()  # serve's: the gateway hands the caches its monotonic()
    authorizers, runtime, _ = make(
        lambda event: policy("Allow", "*"), clock=emulator_clock.monotonic, reauthorize_every=300
    )
    headers = {"Authorization": "token-a"}
    authorize(authorizers, "Auth", proxy_event(headers), GET_ITEMS)
    authorize(authorizers, "Auth", proxy_event(headers), GET_ITEMS)
    assert len(runtime.events) == 1
    emulator_clock.advance(301)  # `python -m emulator clock advance 301s`: no real wait
    authorize(authorizers, "Auth", proxy_event(headers), GET_ITEMS)
    assert len(runtime.events) == 2


def test_reauthorize_every_zero_invokes_every_time():
    authorizers, runtime, _ = make(lambda event: policy("Allow", "*"), reauthorize_every=0)
    for _ in range(3):
        assert authorize(authorizers, "Auth", proxy_event({"Authorization": "t"}), GET_ITEMS).allowed
    assert len(runtime.events) == 3


def test_failures_are_not_cached():
    calls = []

    def handler(event):
        calls.append(event)
        if len(calls) == 1:
            raise Exception("Unauthorized")
        return policy("Allow", "*")

    authorizers, _, _ = make(handler, reauthorize_every=300)
    assert authorize(authorizers, "Auth", proxy_event({"Authorization": "t"}), GET_ITEMS).status == 401
    assert authorize(authorizers, "Auth", proxy_event({"Authorization": "t"}), GET_ITEMS).allowed


# -- REQUEST authorizers --------------------------------------------------------------------------


def request_authorizer(handler: Callable[[dict], Any], **kwargs: Any):
    return make(
        handler,
        type="REQUEST",
        identity_headers=("X-Api-Token",),
        identity_query_strings=("tenant",),
        identity_stage_variables=("backend",),
        identity_context=("identity.sourceIp",),
        **kwargs,
    )


def test_request_event_carries_the_request():
    authorizers, runtime, _ = request_authorizer(lambda event: policy("Allow", "*"))
    event = proxy_event({"X-Api-Token": "k"}, {"tenant": "t1"}, {"backend": "blue"})
    assert authorize(authorizers, "Auth", event, GET_ITEMS).allowed
    ((_, sent),) = runtime.events
    assert sent == build_request_event(event, GET_ITEMS)
    assert sent["type"] == "REQUEST"
    assert sent["methodArn"] == GET_ITEMS
    assert sent["headers"] == {"X-Api-Token": "k"}
    assert sent["queryStringParameters"] == {"tenant": "t1"}
    assert sent["stageVariables"] == {"backend": "blue"}
    assert "authorizer" not in sent["requestContext"]
    assert sent["requestContext"]["identity"]["sourceIp"] == "10.0.0.7"
    assert set(sent) == {
        "type", "methodArn", "resource", "path", "httpMethod", "headers", "multiValueHeaders",
        "queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables",
        "requestContext",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("headers", "query", "stage_variables"),
    [
        (None, {"tenant": "t1"}, {"backend": "blue"}),
        ({"X-Api-Token": "k"}, None, {"backend": "blue"}),
        ({"X-Api-Token": "k"}, {"tenant": ""}, {"backend": "blue"}),
        ({"X-Api-Token": "k"}, {"tenant": "t1"}, None),
    ],
)
def test_request_missing_identity_source_is_401_without_invoking(headers, query, stage_variables):
    authorizers, runtime, _ = request_authorizer(lambda event: policy("Allow", "*"))
    outcome = authorize(authorizers, "Auth", proxy_event(headers, query, stage_variables), GET_ITEMS)
    assert outcome.status == 401
    assert runtime.events == []


def test_request_cache_key_is_every_identity_source():
    authorizers, runtime, _ = request_authorizer(lambda event: policy("Allow", "*"), reauthorize_every=60)
    event_a = proxy_event({"X-Api-Token": "k"}, {"tenant": "t1"}, {"backend": "blue"})
    event_b = proxy_event({"X-Api-Token": "k"}, {"tenant": "t2"}, {"backend": "blue"})
    for event in (event_a, event_a, event_b, event_b):
        assert authorize(authorizers, "Auth", event, GET_ITEMS).allowed
    assert len(runtime.events) == 2


def test_request_authorizer_without_identity_sources_is_never_cached():
    authorizers, runtime, _ = make(lambda event: policy("Allow", "*"), type="REQUEST", identity_headers=())
    for _ in range(2):
        assert authorize(authorizers, "Auth", proxy_event(), GET_ITEMS).allowed
    assert len(runtime.events) == 2
