"""The environment variables of one execution environment, as Lambda sets them.

Lambda gives a function its own configured variables plus the reserved ones documented under
"Defined runtime environment variables"; nothing of the machine that hosts it. Here the worker
gets the same, plus the few host variables the interpreter itself needs to start (PATH, LANG,
dynamic-linker paths), never the rest of the emulator's environment (its credentials, its
virtualenv activation, another function's variables).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from emulator.lambda_runtime.api import FunctionConfig

FUNCTION_VERSION = "$LATEST"

# The layers' import paths, for the bootstrap (which removes it from the handler's environment).
LAYER_PATHS_VARIABLE = "_EMULATOR_LAYER_PATHS"

# Host variables a Python interpreter may need to start at all (shared-library builds of
# CPython, pyenv, Homebrew). Users may override PATH/LANG/TZ in their template, as on Lambda.
_HOST_VARIABLES = ("PATH", "LANG", "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "SYSTEMROOT")


def log_group_name(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def new_log_stream_name(now: datetime | None = None) -> str:
    """One stream per execution environment: ``2026/11/25/[$LATEST]<32 hex digits>``."""
    return f"{(now or datetime.now(UTC)):%Y/%m/%d}/[{FUNCTION_VERSION}]{uuid.uuid4().hex}"


def function_arn(config: FunctionConfig) -> str:
    return f"arn:aws:lambda:{config.region}:{config.account_id}:function:{config.name}"


def process_environment(
    config: FunctionConfig,
    *,
    log_stream_name: str,
    runtime_dir: Path,
    host: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The complete environment of a worker process for ``config``."""
    host = os.environ if host is None else host
    environment = {name: host[name] for name in _HOST_VARIABLES if name in host}
    environment.setdefault("LANG", "en_US.UTF-8")  # Lambda's value
    environment["TZ"] = ":UTC"
    environment.update(config.environment)
    # Reserved variables win over the template: Lambda refuses to deploy a function that
    # sets them, so code may rely on their values.
    environment.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": config.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": FUNCTION_VERSION,
            "AWS_LAMBDA_LOG_GROUP_NAME": log_group_name(config.name),
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream_name,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.runtime}",
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            "LAMBDA_TASK_ROOT": str(config.code_dir.resolve()),
            "LAMBDA_RUNTIME_DIR": str(runtime_dir),
            "_HANDLER": config.handler,
            # As `sam local` does: lets libraries (Powertools' Tracer, X-Ray SDK) know there is
            # no X-Ray daemon to talk to.
            "AWS_SAM_LOCAL": "true",
        }
    )
    if config.layer_dirs:
        environment[LAYER_PATHS_VARIABLE] = os.pathsep.join(layer_import_paths(config))
    return environment


def layer_import_paths(config: FunctionConfig) -> list[str]:
    """Where the layers' modules are imported from, first match first.

    Lambda extracts each layer into /opt in the function's order, a later layer's file replacing
    an earlier one's, and its Python runtime searches ``/var/task``, then
    ``/opt/python/lib/python3.X/site-packages``, then ``/opt/python`` (AWS Lambda docs, "Working
    with layers for Python Lambda functions" and "Dependency search path"). Layers stay in their
    own directories here, so the later layer comes first in each group: a module in two layers
    is taken from the later one, as on Lambda (a package split across two layers is not merged).
    """
    version = config.runtime.removeprefix("python")
    newest_first = [d.resolve() for d in reversed(config.layer_dirs)]
    site_packages = [str(d / "python" / "lib" / f"python{version}" / "site-packages") for d in newest_first]
    return [*site_packages, *(str(d / "python") for d in newest_first)]
