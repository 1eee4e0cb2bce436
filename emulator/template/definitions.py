"""Where an API's OpenAPI definition comes from: ``DefinitionBody`` (inline, or a file through
``AWS::Include``), ``DefinitionUri`` (a local file), or a raw ``AWS::ApiGateway::RestApi``'s
``Body``/``BodyS3Location``; and how its intrinsics are resolved -- method by method, so that one
method whose integration names a missing function fails alone instead of the whole template.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from emulator.errors import TemplateError
from emulator.template.documents import read_template
from emulator.template.includes import expand_includes
from emulator.template.intrinsics import IntrinsicError, IntrinsicResolver
from emulator.template.model import TemplateNotes
from emulator.template.openapi import Definition, function_name_in_uri, read_definition
from emulator.template.rest_routes import ApiDefinition

_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


def function_lookup(
    ids_by_name: Mapping[str, str], stage_variables: Mapping[str, str] | None
) -> Callable[[str], str | None]:
    """An integration uri -> the logical id of the function it invokes (None: not one of ours).
    ``${stageVariables.x}`` in the uri is replaced by the stage's variable first."""
    variables = stage_variables or {}

    def lookup(uri: str) -> str | None:
        text = _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), uri)
        name = function_name_in_uri(text)
        return None if name is None else ids_by_name.get(name)

    return lookup


def read_document(
    body: Any,
    uri: Any,
    *,
    resolver: IntrinsicResolver,
    template_dir: Path,
    where: str,
    notes: TemplateNotes,
    logical_id: str,
) -> tuple[dict[str, Any] | None, bool]:
    """(the raw definition, whether it is inline) from a DefinitionBody or a DefinitionUri-like value."""
    if body is not None:
        document = expand_includes(body, template_dir, where)
        if not isinstance(document, dict):
            raise TemplateError(f"{where}: the definition must be a mapping (an OpenAPI document)")
        return document, True
    if uri is None:
        return None, False
    try:
        location = resolver.resolve(uri)
    except IntrinsicError as exc:
        raise TemplateError(f"{where}: {exc}") from None
    if not isinstance(location, str) or location.startswith(("s3://", "https://")):
        notes.ignore(
            "definitions stored in S3 cannot be read locally (point the property at a local file)", logical_id
        )
        return {}, False
    path = (template_dir / location).resolve()
    return expand_includes(read_template(path), path.parent, str(path)), False


def resolve_definition(
    document: Mapping[str, Any],
    *,
    resolver: IntrinsicResolver,
    lookup: Callable[[str], str | None],
    where: str,
) -> Definition:
    """The definition read, its intrinsics resolved; each method's separately."""
    try:
        top = resolver.resolve({key: value for key, value in document.items() if key != "paths"})
    except IntrinsicError as exc:
        raise TemplateError(f"{where}: {exc}") from None
    top["paths"] = document.get("paths")

    def resolve_operation(path: str, verb: str, operation: Any) -> Any:
        try:
            return resolver.resolve(operation)
        except IntrinsicError as exc:
            raise ValueError(f"its definition cannot be resolved: {exc}") from None

    return read_definition(top, lookup, resolve_operation)


def api_definition(
    logical_id: str,
    body: Any,
    uri: Any,
    *,
    resolver: IntrinsicResolver,
    template_dir: Path,
    lookup: Callable[[str], str | None],
    source: str,
    notes: TemplateNotes,
    merge_definitions: bool = False,
) -> ApiDefinition | None:
    where = f"{source}: API {logical_id}"
    document, inline = read_document(
        body,
        uri,
        resolver=resolver,
        template_dir=template_dir,
        where=where,
        notes=notes,
        logical_id=logical_id,
    )
    if document is None:
        return None
    definition = resolve_definition(document, resolver=resolver, lookup=lookup, where=where)
    return ApiDefinition(definition, merge_events=inline and merge_definitions)
