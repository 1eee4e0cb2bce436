"""``serve`` on each template of the corpus (see README.md): what it serves, answered over HTTP,
and what it says it ignores."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from emulator.launcher import run_serve, serve_argv

CORPUS = Path(__file__).resolve().parent
ROOT = CORPUS.parents[2]


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int
    body_contains: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    answer_headers: dict[str, str] = field(default_factory=dict)  # each must be in the answer


@dataclass(frozen=True)
class Case:
    calls: tuple[Call, ...]
    warnings: tuple[str, ...] = ()  # each must appear in a "warning:" line of serve's stderr
    template: str = "template.yaml"
    errors: tuple[str, ...] = ()  # each must start an "error:" line of serve's stderr
    log_contains: tuple[str, ...] = ()


CASES = {
    "sam_init_hello": Case(
        calls=(
            Call("GET", "/Prod/hello", 200, '"message": "hello world"'),
            Call("GET", "/hello", 200, "hello world"),
            Call("POST", "/Prod/hello", 403, "Missing Authentication Token"),
        )
    ),
    "ses_openapi_include": Case(
        # The function runs from the zip; SES refuses the unverified sender, the handler then
        # returns nothing, which API Gateway answers 502 (as it would on AWS).
        calls=(Call("GET", "/s1/", 502, "Internal server error"),),
        template="template.yml",
        log_contains=("START RequestId",),
    ),
    "sam_init_image": Case(
        calls=(Call("GET", "/Prod/hello", 502, "Internal server error"),),
        errors=("error: function HelloWorldFunction: container image functions (PackageType: Image)",),
    ),
    "nested_stack_sample": Case(
        # Two nested SAM applications; the Product one gets AllowedOrigin from the parent, which
        # reaches its functions' environment and its API's Cors.
        calls=(
            Call("GET", "/Prod/product/42", 200, '"productId": "42"'),
            Call("GET", "/Prod/product", 200, '"products": []'),
            Call(
                "OPTIONS",
                "/Prod/product",
                200,
                headers={"Origin": "http://localhost:8080", "Access-Control-Request-Method": "GET"},
                answer_headers={"Access-Control-Allow-Origin": "http://localhost:8080"},
            ),
        ),
        template="template.yml",
        warnings=("AWS::Cognito::UserPool is not emulated: Auth/CognitoUserPool",),
    ),
    "sam_docs_foreach": Case(
        # Fn::ForEach makes three functions (no events in the example: nothing to route).
        calls=(Call("GET", "/Prod/users", 403, "Missing Authentication Token"),),
        log_contains=("0 routes: no function has an Api event",),
    ),
    "cdk_lambda_rest_api": Case(
        # LambdaRestApi: ANY on the root and on {proxy+}; the code is the asset directory next to
        # the template (aws:asset:path), as SAM CLI resolves it.
        calls=(
            Call("GET", "/prod/", 200, "You've hit /"),
            Call("POST", "/prod/a/b", 200, "You've hit /a/b"),
            # defaultCorsPreflightOptions: an OPTIONS MOCK method on each resource.
            Call("OPTIONS", "/prod/a", 204, "", answer_headers={"Access-Control-Allow-Origin": "*"}),
        ),
        template="cdk.out/CdkRestStack.template.json",
    ),
    "cdk_http_api": Case(
        calls=(
            Call("GET", "/items/7", 200, '"route": "GET /items/{id}"'),
            Call("GET", "/nothing", 404, '"message":"Not Found"'),
        ),
        template="cdk.out/CdkHttpStack.template.json",
    ),
    "serverless_output": Case(
        # The zip that `serverless package` left next to the template is the code (S3Key's name).
        calls=(Call("GET", "/dev/hello", 200, '"stage": "dev"'),),
        template=".serverless/cloudformation-template-update-stack.json",
        warnings=("AWS::Lambda::Version is not emulated", "AWS::S3::Bucket is not emulated"),
    ),
    "mapping_template_include": Case(
        calls=(Call("GET", "/dev/", 502, "Internal server error"),),
        warnings=("RestApi ANY /: aws integrations are not emulated",),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_template(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    log = tmp_path / "serve.log"
    argv = serve_argv("--port", "0", "--template", str(CORPUS / name / case.template), "--no-reload")
    with run_serve(argv, log_path=log, cwd=ROOT) as serve:
        for call in case.calls:
            response = requests.request(
                call.method, serve.root_url + call.path, headers=call.headers, timeout=30
            )
            assert response.status_code == call.status, (call, response.text)
            assert call.body_contains in response.text, (call, response.text)
            for name, value in call.answer_headers.items():
                assert response.headers.get(name) == value, (call, dict(response.headers))
    lines = log.read_text().splitlines()
    warnings = [line for line in lines if line.startswith("warning: ")]
    for expected in case.warnings:
        assert any(expected in line for line in warnings), (expected, warnings)
    for expected in case.errors:
        assert any(line.startswith(expected) for line in lines), (expected, lines)
    for expected in case.log_contains:
        assert any(expected in line for line in lines), expected


VALIDATE_ROUTES = {
    "cdk_lambda_rest_api": ("ANY      /prod/          HelloHandler2E4FBA4D", "OPTIONS  /prod/{proxy+}  (mock)"),
    "cdk_http_api": ("GET     /items/{id}  ItemsHandler1C9B2A3D",),
    "serverless_output": ("GET     /dev/hello  sls-hello-dev-hello",),
}


@pytest.mark.parametrize("name", sorted(VALIDATE_ROUTES))
def test_validate_shows_the_routes_and_what_is_ignored(name: str) -> None:
    case = CASES[name]
    template = str(CORPUS / name / case.template)
    proc = subprocess.run(
        [sys.executable, "-m", "emulator", "validate", "--template", template],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    for route in VALIDATE_ROUTES[name]:
        assert route in proc.stdout, proc.stdout
    warnings = [line for line in proc.stdout.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == len(case.warnings), warnings
    for expected in case.warnings:
        assert any(expected in line for line in warnings), warnings
