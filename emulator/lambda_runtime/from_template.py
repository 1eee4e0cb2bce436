"""A template function as the runtime runs it: FunctionSpec + the AWS endpoint variables."""

from __future__ import annotations

from collections.abc import Mapping

from emulator.lambda_runtime.api import FunctionConfig
from emulator.template.model import FunctionSpec, SamApp


def function_config(
    spec: FunctionSpec,
    app: SamApp,
    aws_environment: Mapping[str, str],
    *,
    reserved_concurrency: int | None = None,
) -> FunctionConfig:
    """The template's own variables win over the endpoint ones, as a deployed function's would
    (they come from its Environment; boto3's endpoint variables are only set locally)."""
    return FunctionConfig(
        name=spec.function_name,
        handler=spec.handler,
        code_dir=spec.code_uri,
        runtime=spec.runtime,
        timeout_s=spec.timeout,
        memory_mb=spec.memory_size,
        environment={**aws_environment, **spec.environment},
        reserved_concurrency=spec.reserved_concurrency
        if reserved_concurrency is None
        else reserved_concurrency,
        region=app.region,
        account_id=app.account_id,
        layer_dirs=spec.layers,
    )


def runnable_functions(app: SamApp) -> list[tuple[str, str]]:
    """``(function_name, "LogicalId (function_name)")`` of the functions that run here, for the
    start-up check's lines (:mod:`.startup_check`); the logical id alone when it is the name."""
    return [
        (
            spec.function_name,
            logical_id if spec.function_name == logical_id else f"{logical_id} ({spec.function_name})",
        )
        for logical_id, spec in app.functions.items()
        if spec.unavailable is None
    ]
