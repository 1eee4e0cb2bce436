"""Reading a template file (YAML with CloudFormation short-form tags, or JSON) into plain data.

CloudFormation's YAML dialect writes intrinsic functions as local tags (``!Ref X``,
``!GetAtt A.B``, ``!Sub ...``). They are turned here into the long JSON form
(``{"Ref": "X"}``, ``{"Fn::GetAtt": ["A", "B"]}``) so that the resolver only knows one shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import yaml

from emulator.errors import TemplateError

# libyaml's C parser is ~10x faster than the pure Python one; a 20-function template loads in
# a few milliseconds with it.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Short-form tags whose long form is "Fn::<Name>". !Ref, !GetAtt and !Condition are special.
FN_TAGS = (
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Not",
    "And",
    "Or",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "Length",
    "ToJsonString",
)


class TemplateYamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader + CloudFormation tags. Dates stay strings, as CloudFormation reads them."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # YAML would let a repeated key silently replace the first one; CloudFormation refuses a
        # template with duplicate keys, and so do we (a second `GatewayResponses:` is a real mistake).
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_node(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


def _fn_constructor(name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        return {f"Fn::{name}": _construct_node(loader, node)}

    return construct


def _construct_ref(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    return {"Ref": _construct_node(loader, node)}


def _construct_condition(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    return {"Condition": _construct_node(loader, node)}


def _construct_getatt(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    value = _construct_node(loader, node)
    if isinstance(value, str):
        # "!GetAtt Resource.Attr.With.Dots": the logical id never contains a dot.
        logical_id, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [logical_id, attribute]}
    return {"Fn::GetAtt": value}


TemplateYamlLoader.add_constructor("!Ref", _construct_ref)
TemplateYamlLoader.add_constructor("!Condition", _construct_condition)
TemplateYamlLoader.add_constructor("!GetAtt", _construct_getatt)
for _name in FN_TAGS:
    TemplateYamlLoader.add_constructor(f"!{_name}", _fn_constructor(_name))

# CloudFormation keeps `2010-09-09` and `2012-10-17` as strings; YAML 1.1 would make dates.
TemplateYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_template_text(text: str, source: str) -> dict[str, Any]:
    """Parse template text; ``source`` names the file in error messages."""
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TemplateError(f"{source}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    else:
        try:
            document = yaml.load(text, Loader=TemplateYamlLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise TemplateError(f"{source}: invalid YAML{where}: {exc.problem or exc.context}") from None
        except yaml.YAMLError as exc:
            raise TemplateError(f"{source}: invalid YAML: {exc}") from None
    if not isinstance(document, dict):
        raise TemplateError(f"{source}: a template must be a mapping with a Resources section")
    return document


# The files one load reads (the template, its AWS::Include and DefinitionUri files): what serve
# watches to reload the template. A nested stack's load records its own, merged into its parent's.
_FILES_READ: ContextVar[list[Path] | None] = ContextVar("emulator_template_files_read", default=None)


@contextmanager
def recording_files_read() -> Iterator[list[Path]]:
    """Within: every file :func:`read_template` reads is appended to the list yielded."""
    files: list[Path] = []
    token = _FILES_READ.set(files)
    try:
        yield files
    finally:
        _FILES_READ.reset(token)


def read_template(path: Path) -> dict[str, Any]:
    files = _FILES_READ.get()
    if files is not None:
        files.append(path.resolve())
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(f"{path}: template file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read template: {exc}") from None
    return parse_template_text(text, str(path))
