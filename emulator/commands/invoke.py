"""``python -m emulator invoke`` and ``generate-event``: one function run once, like ``sam local``.

``invoke FUNCTION --event FILE`` runs the function in a fresh worker process with its template
environment (+ ``--env-vars``) and an AWS endpoint, prints the result JSON on stdout and the
Lambda logs (START/END/REPORT and the handler's output) on stderr; exit 1 if the function failed
(its error payload, as Lambda returns it, is printed instead of a result).

AWS services: by default the embedded endpoint of the stack running on ``.localdata`` (``make
up``) if there is one, else an in-memory one started for the call, with the template's tables and
secrets; a line on stderr says which. ``--aws-endpoint URL`` uses another running one (e.g. the
one ``serve`` prints), ``--data-dir DIR`` starts one on that data dir, ``--no-aws`` leaves the AWS
environment alone (real AWS).

``generate-event apigateway aws-proxy`` prints a complete REST API proxy event (payload 1.0), built
by the gateway's own event builder, for ``invoke --event -``; ``authorizer`` and
``request-authorizer`` print the TOKEN / REQUEST authorizer events the gateway sends.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from emulator import log
from emulator.commands.app_options import add_app_options, load_template_app
from emulator.errors import UserError
from emulator.template.model import FunctionSpec, Route, SamApp


def register(subparsers: Any) -> None:
    invoke = subparsers.add_parser(
        "invoke",
        help="invoke one function once with an event (like sam local invoke)",
        description=__doc__.split("\n\n", 2)[1],
    )
    invoke.add_argument("function", nargs="?", help="logical id or FunctionName (optional if only one)")
    invoke.add_argument("--event", "-e", default=None, help="event JSON file, or - for stdin (default: {})")
    add_app_options(invoke)
    aws = invoke.add_mutually_exclusive_group()
    aws.add_argument("--aws-endpoint", default=None, help="use this running AWS endpoint (no provisioning)")
    aws.add_argument("--data-dir", type=Path, default=None, help="embedded AWS data directory")
    aws.add_argument("--no-aws", action="store_true", help="no local AWS endpoint: use the real AWS")
    invoke.add_argument("--dynamodb-endpoint", default=None, help="an external DynamoDB endpoint")
    invoke.set_defaults(func=run_invoke)

    generate = subparsers.add_parser(
        "generate-event",
        help="print a sample event (like sam local generate-event)",
        description="Print a sample event for a function.",
    )
    services = generate.add_subparsers(dest="service", metavar="SERVICE", required=True)
    apigateway = services.add_parser("apigateway", help="API Gateway events")
    kinds = apigateway.add_subparsers(dest="kind", metavar="EVENT", required=True)
    proxy = kinds.add_parser("aws-proxy", help="REST API Lambda proxy integration event (payload 1.0)")
    token = kinds.add_parser("authorizer", help="TOKEN Lambda authorizer event")
    token.add_argument("--token", default="incoming-client-token", help="the authorizationToken")
    request = kinds.add_parser("request-authorizer", help="REQUEST Lambda authorizer event")
    for parser in (proxy, token, request):
        _add_request_options(parser)
        parser.set_defaults(func=run_generate_apigateway_event)


def _add_request_options(parser: argparse.ArgumentParser) -> None:
    # Defaults mirror `sam local generate-event apigateway aws-proxy`.
    parser.add_argument("--method", default="POST")
    parser.add_argument("--path", default="/examplepath", help="request path (no stage)")
    parser.add_argument("--resource", default="/{proxy+}", help="template resource path")
    parser.add_argument("--body", default='{"test":"body"}', help="request body ('' for none)")
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--query", default="", help="query string, e.g. 'a=1&b=2'")
    parser.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--account-id", default="123456789012")


# -- invoke ------------------------------------------------------------------------------------


def _read_event(source: str | None) -> Any:
    if source is None:
        return {}
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{source}: cannot read event file: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = "stdin" if source == "-" else source
        raise UserError(f"{where}: the event is not valid JSON (line {exc.lineno}: {exc.msg})") from None


def select_function(app: SamApp, wanted: str | None) -> FunctionSpec:
    if wanted is None:
        if len(app.functions) == 1:
            return next(iter(app.functions.values()))
        raise UserError(f"{app.template_path}: name the function to invoke: {', '.join(app.functions)}")
    if wanted in app.functions:
        if app.functions[wanted].unavailable is not None:
            raise UserError(f"function {wanted}: {app.functions[wanted].unavailable}")
        return app.functions[wanted]
    for spec in app.functions.values():
        if spec.function_name == wanted:
            return spec
    raise UserError(
        f"{app.template_path}: no function '{wanted}' in the template (functions: {', '.join(app.functions)})"
    )


def _aws_environment(args: argparse.Namespace, app: SamApp, stack: ExitStack) -> dict[str, str]:
    if args.no_aws:
        return {}
    from emulator.aws import EmbeddedAws, provision, worker_environment

    endpoint = args.aws_endpoint
    if endpoint is None and args.data_dir is None:
        endpoint = _running_aws_endpoint()
    if endpoint is None:
        aws = stack.enter_context(EmbeddedAws(data_dir=args.data_dir, region=app.region))
        endpoint = aws.endpoint_url
        # Rotation schedules would need to invoke other functions: not for a single invoke.
        provision(app, endpoint_url=endpoint, dynamodb_endpoint_url=args.dynamodb_endpoint, invoke=None)
    return worker_environment(
        endpoint_url=endpoint, dynamodb_endpoint_url=args.dynamodb_endpoint, region=app.region
    )


def _running_aws_endpoint() -> str | None:
    """The AWS endpoint of the stack running on ``make up``'s data dir, saying which is used."""
    from emulator.aws.layout import DEFAULT_DATA_DIR
    from emulator.aws.transfer import running_url

    url = running_url(DEFAULT_DATA_DIR)
    logger = logging.getLogger(log.AWS)
    if url is not None:
        logger.info(
            "invoke: using the AWS endpoint of the stack running on %s/ (%s); "
            "--aws-endpoint URL, --data-dir DIR or --no-aws choose another",
            DEFAULT_DATA_DIR,
            url,
        )
    else:
        logger.info(
            "invoke: no stack runs on %s/, so the call gets a fresh in-memory AWS endpoint with the "
            "template's tables; --aws-endpoint URL uses a running one (serve's banner prints it)",
            DEFAULT_DATA_DIR,
        )
    return url


def _error_payload(result: Any) -> dict[str, Any]:
    # What Lambda returns for a function error (and `sam local invoke` prints).
    error = result.error
    return {
        "errorMessage": error.error_message,
        "errorType": error.error_type,
        "requestId": result.request_id,
        "stackTrace": list(error.stack_trace),
    }


def run_invoke(args: argparse.Namespace) -> int:
    from emulator.lambda_runtime import ProcessLambdaRuntime
    from emulator.lambda_runtime.from_template import function_config

    app = load_template_app(args)
    spec = select_function(app, args.function)
    event = _read_event(args.event)
    with ExitStack() as stack:
        aws_env = _aws_environment(args, app, stack)
        config = function_config(spec, app, aws_env, reserved_concurrency=1)
        runtime = stack.enter_context(ProcessLambdaRuntime([config], max_workers=1, hot_reload=False))
        result = runtime.invoke(spec.function_name, event)
    sys.stderr.flush()
    if result.error is not None:
        print(json.dumps(_error_payload(result)), flush=True)
        return 1
    print(json.dumps(result.payload), flush=True)
    return 0


# -- generate-event ------------------------------------------------------------------------------


def _headers(items: list[str], *, has_body: bool, host: str) -> dict[str, str]:
    headers = {
        "Accept": "*/*",
        "Host": host,
        "User-Agent": "Custom User Agent String",
        "X-Forwarded-For": "127.0.0.1",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    if has_body:
        headers["Content-Type"] = "application/json"
    for item in items:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise UserError(f"--header: expected 'Name: value', got {item!r}")
        headers[name.strip()] = value.strip()
    return headers


def build_sample_proxy_event(
    *,
    method: str,
    path: str,
    resource: str,
    body: str,
    stage: str,
    query: str = "",
    headers: Mapping[str, str] | None = None,
    region: str = "us-east-1",
    account_id: str = "123456789012",
) -> dict[str, Any]:
    """A proxy event exactly as the gateway would build it for this request and resource."""
    from emulator.apigateway.binary import BinaryMediaTypes
    from emulator.apigateway.events import ProxyEventBuilder
    from emulator.apigateway.request import GatewayRequest
    from emulator.apigateway.routing import ResourceTree, RouteMatch

    method = method.upper()
    path = path if path.startswith("/") else f"/{path}"
    resource = resource if resource.startswith("/") else f"/{resource}"
    route = Route(
        api_id="ServerlessRestApi", path=resource, method="ANY", function_id="Sample", event_name="Api"
    )
    found = ResourceTree("ServerlessRestApi", [route]).find(method, path)
    if found is None:
        raise UserError(f"--path {path} does not match --resource {resource}")
    api_method, path_parameters = found
    match = RouteMatch("ServerlessRestApi", stage, api_method, path, path_parameters or None)
    builder = ProxyEventBuilder(
        api_logical_id="ServerlessRestApi",
        stage=stage,
        account_id=account_id,
        region=region,
        stage_variables=None,
        binary_media_types=BinaryMediaTypes(()),
    )
    host = f"{builder.api_id}.execute-api.{region}.amazonaws.com"
    request = GatewayRequest(
        method=method,
        path=f"/{stage}{path}",
        query_string=query.lstrip("?"),
        headers=dict(headers) if headers is not None else _headers([], has_body=bool(body), host=host),
        body=body.encode(),
        source_ip="127.0.0.1",
        protocol="HTTP/1.1",
    )
    return builder.build(request, match)


def run_generate_apigateway_event(args: argparse.Namespace) -> int:
    from emulator.apigateway.authorizers import build_request_event, build_token_event
    from emulator.apigateway.events import api_id_for, method_arn

    api_id = api_id_for("ServerlessRestApi")
    host = f"{api_id}.execute-api.{args.region}.amazonaws.com"
    event = build_sample_proxy_event(
        method=args.method,
        path=args.path,
        resource=args.resource,
        body=args.body,
        stage=args.stage,
        query=args.query,
        headers=_headers(args.header, has_body=bool(args.body), host=host),
        region=args.region,
        account_id=args.account_id,
    )
    arn = method_arn(args.region, args.account_id, api_id, args.stage, event["httpMethod"], event["path"])
    if args.kind == "authorizer":
        event = build_token_event(args.token, arn)
    elif args.kind == "request-authorizer":
        event = build_request_event(event, arn)
    print(json.dumps(event, indent=2))
    return 0
