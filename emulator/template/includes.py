"""``Fn::Transform: {Name: AWS::Include, Parameters: {Location: ...}}``: a snippet from another file.

CloudFormation runs the ``AWS::Include`` transform before anything else: the mapping holding it is
replaced by the file's content (YAML or JSON, intrinsics allowed). Its usual use is an OpenAPI file
as an API's ``DefinitionBody``. Locally the ``Location`` is a path relative to the template (an
``s3://`` location cannot be read here and is an error naming it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emulator.errors import TemplateError
from emulator.template.documents import read_template

INCLUDE = "AWS::Include"
_MAX_DEPTH = 10  # an included file may include another; a cycle stops here


def _include_location(value: Any) -> Any:
    """The Location of an AWS::Include transform, or None when ``value`` is not one."""
    if not isinstance(value, dict) or len(value) != 1 or "Fn::Transform" not in value:
        return None
    transform = value["Fn::Transform"]
    if not isinstance(transform, dict) or transform.get("Name") != INCLUDE:
        return None
    parameters = transform.get("Parameters")
    return parameters.get("Location") if isinstance(parameters, dict) else ""


def expand_includes(value: Any, base_dir: Path, source: str, depth: int = 0) -> Any:
    """``value`` with every AWS::Include replaced by the content of its file."""
    location = _include_location(value)
    if location is not None:
        if depth >= _MAX_DEPTH:
            raise TemplateError(f"{source}: AWS::Include nested more than {_MAX_DEPTH} deep (a cycle?)")
        if not isinstance(location, str) or not location:
            raise TemplateError(f"{source}: AWS::Include needs Parameters.Location, a file path")
        if location.startswith(("s3://", "https://", "http://")):
            raise TemplateError(
                f"{source}: AWS::Include Location {location} is not a local file; point it at the file "
                "next to the template"
            )
        path = (base_dir / location).resolve()
        return expand_includes(read_template(path), path.parent, str(path), depth + 1)
    if isinstance(value, dict):
        return {key: expand_includes(item, base_dir, source, depth) for key, item in value.items()}
    if isinstance(value, list):
        return [expand_includes(item, base_dir, source, depth) for item in value]
    return value
