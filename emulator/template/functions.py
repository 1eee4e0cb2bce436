"""``AWS::Serverless::Function`` properties (Globals merged, intrinsics resolved) -> FunctionSpec."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emulator.errors import TemplateError
from emulator.template.code import inline_code_directory, zip_directory
from emulator.template.model import FunctionSpec


def env_value_text(value: Any) -> str | None:
    """An environment value as Lambda stores it: always a string (CloudFormation stringifies)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


class CodeUnavailable(Exception):
    """The function's code cannot run here (a container image, code in S3): its routes answer 502."""


def _code_directory(properties: Mapping[str, Any], template_dir: Path, where: str) -> Path:
    if properties.get("PackageType") == "Image" or "ImageUri" in properties:
        raise CodeUnavailable("container image functions (PackageType: Image) do not run here (no Docker)")
    if "InlineCode" in properties:
        code = properties["InlineCode"]
        if not isinstance(code, str):
            raise TemplateError(f"{where}: InlineCode must be a string")
        return inline_code_directory(code)
    code_uri = properties.get("CodeUri")
    if code_uri is None:
        return template_dir  # like `sam local`: no CodeUri means the template's directory
    if isinstance(code_uri, dict) or (isinstance(code_uri, str) and code_uri.startswith("s3://")):
        raise CodeUnavailable(f"its code is in S3 ({code_uri}), not on this machine")
    if not isinstance(code_uri, str):
        raise TemplateError(f"{where}: CodeUri must be a path, got {code_uri!r}")
    path = (template_dir / code_uri).resolve()
    if path.suffix.lower() == ".zip" and path.is_file():
        return zip_directory(path, where)
    return path


def _number(properties: Mapping[str, Any], key: str, default: float | None, where: str) -> float | None:
    value = properties.get(key, default)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TemplateError(f"{where}: {key} must be a number, got {value!r}") from None


def build_function(
    logical_id: str, properties: Mapping[str, Any], *, function_name: str, template_dir: Path, source: str
) -> FunctionSpec:
    where = f"{source}: function {logical_id}"
    unavailable = None
    try:
        code_uri = _code_directory(properties, template_dir, where)
    except CodeUnavailable as exc:
        code_uri, unavailable = template_dir, str(exc)
    handler, runtime = properties.get("Handler"), properties.get("Runtime")
    if unavailable is not None:  # an image function has neither
        handler, runtime = handler or "-", runtime or "-"
    if not isinstance(handler, str) or not handler:
        raise TemplateError(f"{where}: Handler is missing (set it on the function or in Globals.Function)")
    if not isinstance(runtime, str) or not runtime:
        raise TemplateError(f"{where}: Runtime is missing (set it on the function or in Globals.Function)")

    environment: dict[str, str] = {}
    env_block = properties.get("Environment") or {}
    variables = env_block.get("Variables") if isinstance(env_block, dict) else None
    if variables is not None and not isinstance(variables, dict):
        raise TemplateError(f"{where}: Environment.Variables must be a mapping")
    for name, value in (variables or {}).items():
        text = env_value_text(value)
        if text is None:
            raise TemplateError(f"{where}: environment variable {name} must be a string, got {value!r}")
        environment[str(name)] = text

    architectures = properties.get("Architectures") or ["x86_64"]
    if not isinstance(architectures, list) or not all(isinstance(a, str) for a in architectures):
        raise TemplateError(f"{where}: Architectures must be a list such as [x86_64] or [arm64]")
    reserved = _number(properties, "ReservedConcurrentExecutions", None, where)
    return FunctionSpec(
        logical_id=logical_id,
        function_name=function_name,
        handler=handler,
        runtime=runtime,
        code_uri=code_uri,
        timeout=_number(properties, "Timeout", 3.0, where) or 3.0,
        memory_size=int(_number(properties, "MemorySize", 128, where) or 128),
        environment=environment,
        reserved_concurrency=None if reserved is None else int(reserved),
        architectures=tuple(architectures),
        unavailable=unavailable,
    )
