"""The authorizer of a real template, run in a real worker process (ProcessLambdaRuntime)."""

from __future__ import annotations

import asyncio

import pytest

from emulator.apigateway.authorizers import LambdaAuthorizers
from emulator.lambda_runtime import ProcessLambdaRuntime
from emulator.lambda_runtime.from_template import function_config
from emulator.template import load_app
from emulator.template.model import IMPLICIT_API_ID
from tests.emulator.fixtures import template

TEMPLATE = template("basic")
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc/Prod/GET/users/42"


@pytest.fixture(scope="module")
def authorizers():
    app = load_app(TEMPLATE)
    spec = app.functions["AuthorizerFunction"]
    config = function_config(spec, app, aws_environment={})
    with ProcessLambdaRuntime([config], max_workers=1, hot_reload=False) as runtime:
        yield LambdaAuthorizers(app.apis[IMPLICIT_API_ID], runtime, app.functions)


def event(token: str) -> dict:
    return {"headers": {"Authorization": token}, "requestContext": {}}


def test_allow_passes_principal_and_context(authorizers):
    outcome = asyncio.run(authorizers.authorize("TokenAuth", event("Bearer allow"), METHOD_ARN))
    assert outcome.allowed
    context = dict(outcome.authorizer_context)
    assert isinstance(context.pop("integrationLatency"), int)
    assert context == {"principalId": "user-42", "userId": "42", "verified": "true", "logins": "7"}


@pytest.mark.parametrize(
    ("token", "status", "body"),
    [
        (
            "Bearer deny",
            403,
            {"Message": "User is not authorized to access this resource with an explicit deny"},
        ),
        ("Bearer unauthorized", 401, {"message": "Unauthorized"}),
        ("Bearer other", 500, {"message": None}),
        ("Basic allow", 401, {"message": "Unauthorized"}),  # fails ValidationExpression ^Bearer .+$
    ],
)
def test_refusals(authorizers, token, status, body):
    outcome = asyncio.run(authorizers.authorize("TokenAuth", event(token), METHOD_ARN))
    assert (outcome.allowed, outcome.status, outcome.body) == (False, status, body)
