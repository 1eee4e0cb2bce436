"""Lambda layers whose content is on this machine, and the layers of each function.

- ``AWS::Serverless::LayerVersion`` with ``ContentUri`` a local directory or ``.zip``, and
  ``AWS::Lambda::LayerVersion`` with ``Content`` a local path (as ``sam build`` accepts it): the
  layer's directory (a zip is extracted once into the cache, see :mod:`.code`);
- a function's ``Layers`` (``!Ref MyLayer`` or an ARN): the local layers' directories in the
  function's order, which the worker puts on ``sys.path`` as Lambda does (see
  :func:`emulator.lambda_runtime.environment.layer_import_paths`);
- a layer that is not local (an ARN of a published layer, content in S3) cannot be loaded: one
  warning naming the function (or layer) and what is missing; the function still starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from emulator.errors import TemplateError
from emulator.template.cdk_assets import asset_path
from emulator.template.code import zip_directory
from emulator.template.coverage import reviewed_resources
from emulator.template.model import TemplateNotes

SERVERLESS_LAYER = "AWS::Serverless::LayerVersion"
LAMBDA_LAYER = "AWS::Lambda::LayerVersion"
LAYER_TYPES = (SERVERLESS_LAYER, LAMBDA_LAYER)
_CONTENT_PROPERTY = {SERVERLESS_LAYER: "ContentUri", LAMBDA_LAYER: "Content"}


def _layer_directory(
    logical_id: str, resource_type: str, properties: Mapping[str, Any], template_dir: Path, source: str
) -> Path | None:
    """The layer's local directory, or None when its content is not on this machine."""
    prop = _CONTENT_PROPERTY[resource_type]
    where = f"{source}: layer {logical_id}"
    content = properties.get(prop)
    if content is None:
        raise TemplateError(f"{where}: {prop} is missing")
    if isinstance(content, dict) or (isinstance(content, str) and content.startswith("s3://")):
        return None
    if not isinstance(content, str):
        raise TemplateError(f"{where}: {prop} must be a path, got {content!r}")
    path = (template_dir / content).resolve()
    if path.suffix.lower() == ".zip" and path.is_file():
        return zip_directory(path, where)
    if not path.is_dir():
        raise TemplateError(f"{where}: {prop} {content} is not a directory or a .zip next to the template")
    return path


def local_layers(
    resources: Mapping[str, Mapping[str, Any]],
    *,
    properties_of: Callable[[str], Mapping[str, Any]],
    ref_of: Callable[[str], Any],
    template_dir: Path,
    source: str,
    notes: TemplateNotes,
) -> dict[str, Path]:
    """``{what Ref of the layer gives: its directory}`` for every layer with local content."""
    layers: dict[str, Path] = {}
    for logical_id, resource_type, properties in reviewed_resources(
        resources, LAYER_TYPES, properties_of, notes
    ):
        # CDK output: the layer's asset directory next to the template (see cdk_assets.py).
        asset = asset_path(resources[logical_id], _CONTENT_PROPERTY[resource_type], template_dir)
        directory = asset or _layer_directory(logical_id, resource_type, properties, template_dir, source)
        if directory is None:
            prop = _CONTENT_PROPERTY[resource_type]
            notes.ignore(
                f"{prop} of {resource_type} in S3 is not on this machine (layer not loaded)", logical_id
            )
            continue
        layers[str(ref_of(logical_id))] = directory
    return layers


def function_layers(
    logical_id: str, layers: Any, local: Mapping[str, Path], *, source: str, notes: TemplateNotes
) -> tuple[Path, ...]:
    """A function's ``Layers`` (resolved): the local ones' directories, in the function's order."""
    if layers is None:
        return ()
    if not isinstance(layers, list):
        raise TemplateError(f"{source}: function {logical_id}: Layers must be a list")
    directories: list[Path] = []
    for layer in layers:
        if not isinstance(layer, str):
            raise TemplateError(
                f"{source}: function {logical_id}: Layers items must be ARNs or !Ref, got {layer!r}"
            )
        if layer in local:
            directories.append(local[layer])
        else:
            notes.ignore(
                f"Layers: {layer} is not a local layer (not loaded, its modules are missing)",
                logical_id,
            )
    return tuple(directories)
