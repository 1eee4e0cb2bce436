"""Plain ``AWS::Lambda::Function`` resources (hand-written CloudFormation, CDK and Serverless
Framework output) -> :class:`FunctionSpec`, through the same code path as SAM functions.

``Code`` takes the forms CloudFormation and ``aws cloudformation package`` accept:

- a string: a local directory or ``.zip``, relative to the template (the input of
  ``aws cloudformation package``, which uploads it and writes the S3 location);
- ``ZipFile``: inline source, written as ``index.py`` as Lambda does for Python;
- ``S3Bucket``/``S3Key``: local only when a CDK asset (``aws:asset:path`` metadata) or a Serverless
  Framework package (see :mod:`.cdk_assets`) says where the code is; otherwise the function cannot run
  here: one ``error:`` line naming it, its routes answer 502, the other routes start;
- ``ImageUri``: a container image, which does not run here either.

A runtime other than Python makes the function unavailable the same way (CDK output often holds
Node.js helpers -- custom resource providers, log retention -- that no request reaches).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from emulator.errors import TemplateError
from emulator.template.cdk_assets import asset_path, packaged_zip
from emulator.template.coverage import review_properties
from emulator.template.functions import build_function
from emulator.template.model import FunctionSpec
from emulator.template.raw_template import RawTemplate, present

LAMBDA_FUNCTION = "AWS::Lambda::Function"
_PYTHON_RUNTIME = re.compile(r"python3\.\d+")


def _s3_code(logical_id: str, code: Mapping[str, Any], raw: RawTemplate) -> tuple[dict[str, Any], str | None]:
    """(SAM-style code properties, why the code is not here)."""
    resource = raw.resources[logical_id]
    local = asset_path(resource, "Code", raw.template_dir) or packaged_zip(
        code.get("S3Key"), raw.template_dir
    )
    if local is not None:
        return {"CodeUri": str(local)}, None
    location = f"s3://{code.get('S3Bucket', '?')}/{code.get('S3Key', '?')}"
    return {}, (
        f"Code is in S3 ({location}), not on this machine: point Code at a local directory, keep the "
        "aws:asset:path metadata of cdk synth, or keep the .zip of serverless package next to the template"
    )


def _code_properties(logical_id: str, code: Any, raw: RawTemplate) -> tuple[dict[str, Any], str | None]:
    where = f"{raw.source}: function {logical_id}"
    if isinstance(code, str):
        return {"CodeUri": code}, None
    if not isinstance(code, dict):
        raise TemplateError(
            f"{where}: Code must be a local path or a mapping (ZipFile, S3Bucket/S3Key, ImageUri)"
        )
    if "ZipFile" in code:
        return {"InlineCode": code["ZipFile"]}, None
    if "ImageUri" in code:
        return {"ImageUri": code["ImageUri"]}, None
    if "S3Bucket" in code or "S3Key" in code:
        return _s3_code(logical_id, code, raw)
    raise TemplateError(f"{where}: Code needs ZipFile, S3Bucket and S3Key, or ImageUri")


def build_lambda_functions(
    raw: RawTemplate,
    name_of: Callable[[str], str],
    layers_of: Callable[[str, Any], tuple[Path, ...]],
) -> dict[str, FunctionSpec]:
    """Every ``AWS::Lambda::Function`` of the template; ``name_of``: its physical name;
    ``layers_of(logical id, Layers)``: its local layers' directories, as for SAM functions."""
    functions: dict[str, FunctionSpec] = {}
    for logical_id in raw.ids_of_type(LAMBDA_FUNCTION):
        properties = raw.properties(logical_id)
        review_properties(logical_id, LAMBDA_FUNCTION, present(properties), raw.notes)
        if "Code" not in properties:
            raise TemplateError(f"{raw.source}: function {logical_id}: Code is required")
        code_properties, unavailable = _code_properties(logical_id, properties.pop("Code"), raw)
        runtime = properties.get("Runtime")
        if unavailable is None and isinstance(runtime, str) and not _PYTHON_RUNTIME.fullmatch(runtime):
            unavailable = f"runtime {runtime} does not run here (only python3.x)"
        if unavailable is not None:
            code_properties = {}
            properties.setdefault("Handler", "-")
            properties.setdefault("Runtime", "-")
        spec = build_function(
            logical_id,
            {**properties, **code_properties},
            function_name=name_of(logical_id),
            template_dir=raw.template_dir,
            source=raw.source,
        )
        functions[logical_id] = dataclasses.replace(
            spec,
            layers=layers_of(logical_id, properties.get("Layers")),
            unavailable=spec.unavailable if unavailable is None else unavailable,
        )
    return functions
