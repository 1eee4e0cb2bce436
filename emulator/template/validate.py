"""``validate_app``: what would stop a function from running locally, found before serving."""

from __future__ import annotations

import re

from emulator.errors import TemplateError
from emulator.template.model import FunctionSpec, SamApp

# Only Python runtimes run in this emulator (the workers are Python processes, no containers).
_PYTHON_RUNTIME = re.compile(r"python3\.\d+")


def _check_handler(function: FunctionSpec, where: str) -> None:
    module_path, _, attribute = function.handler.rpartition(".")
    if not module_path or not attribute:
        raise TemplateError(f"{where}: Handler '{function.handler}' must be 'module.function'")
    if not function.code_uri.is_dir():
        raise TemplateError(f"{where}: CodeUri directory {function.code_uri} does not exist")
    # Lambda's Python bootstrap imports the module with dots as package separators.
    relative = module_path.replace(".", "/")
    candidates = (function.code_uri / f"{relative}.py", function.code_uri / relative / "__init__.py")
    if not any(candidate.is_file() for candidate in candidates):
        raise TemplateError(f"{where}: handler module '{module_path}' not found (looked for {candidates[0]})")


def validate_app(app: SamApp) -> None:
    """Raise TemplateError (naming the file and resource) for the first unusable piece."""
    source = str(app.template_path)
    for function in app.functions.values():
        if function.unavailable is not None:
            continue  # said at start; its routes answer 502
        where = f"{source}: function {function.logical_id}"
        if not _PYTHON_RUNTIME.fullmatch(function.runtime):
            raise TemplateError(
                f"{where}: runtime '{function.runtime}' is not supported (only python3.x runs locally)"
            )
        _check_handler(function, where)
    for api in app.apis.values():
        for authorizer in api.authorizers.values():
            if authorizer.function_id not in app.functions:
                raise TemplateError(
                    f"{source}: API {api.logical_id}: authorizer {authorizer.name} points at function "
                    f"'{authorizer.function_id}', which is not an AWS::Serverless::Function of the template"
                )
    for route in app.routes:
        if route.mock is None and route.failure is None and route.function_id not in app.functions:
            raise TemplateError(
                f"{source}: route {route.method} {route.path}: unknown function {route.function_id}"
            )
