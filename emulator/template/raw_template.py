"""What the readers of plain CloudFormation resources (``AWS::Lambda::Function``, raw API Gateway
REST and HTTP APIs) need from the template being loaded: its resources, how to resolve their
properties, what ``Ref`` gives, and where to note what is not emulated."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.errors import TemplateError
from emulator.template.coverage import review_properties
from emulator.template.intrinsics import IntrinsicError, IntrinsicResolver
from emulator.template.model import TemplateNotes


@dataclass(frozen=True)
class RawTemplate:
    resources: Mapping[str, Mapping[str, Any]]  # logical id -> the raw resource (Condition false: absent)
    resolver: IntrinsicResolver
    ref: Callable[[str], Any]  # what Ref of a resource gives (its physical name)
    template_dir: Path
    source: str
    notes: TemplateNotes

    def ids_of_type(self, resource_type: str) -> list[str]:
        return [lid for lid, resource in self.resources.items() if resource.get("Type") == resource_type]

    def raw_properties(self, logical_id: str) -> dict[str, Any]:
        properties = self.resources[logical_id].get("Properties") or {}
        if not isinstance(properties, dict):
            raise TemplateError(f"{self.source}: resource {logical_id}: Properties must be a mapping")
        return dict(properties)

    def resolve(self, value: Any, logical_id: str) -> Any:
        try:
            return self.resolver.resolve(value)
        except IntrinsicError as exc:
            raise TemplateError(f"{self.source}: resource {logical_id}: {exc}") from None

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The resource's Properties, intrinsics resolved."""
        return dict(self.resolve(self.raw_properties(logical_id), logical_id))

    def logical_ids_by_ref(self, resource_type: str) -> dict[str, str]:
        """What ``Ref`` of each resource of a type gives -> its logical id (to follow references
        such as a Method's ``ResourceId`` or a Route's ``Target`` back to a resource)."""
        found: dict[str, str] = {}
        for logical_id in self.ids_of_type(resource_type):
            try:
                found[str(self.ref(logical_id))] = logical_id
            except IntrinsicError as exc:
                raise TemplateError(f"{self.source}: resource {logical_id}: {exc}") from None
        return found

    def where(self, logical_id: str) -> str:
        return f"{self.source}: resource {logical_id}"


# The resources of each API: API logical id -> [(logical id, resolved properties)].
Children = dict[str, list[tuple[str, dict[str, Any]]]]


def is_true(value: Any) -> bool:
    """A CloudFormation boolean: ``true`` or the string ``"true"`` (any case)."""
    return value is True or str(value).lower() == "true"


def present(properties: Mapping[str, Any]) -> dict[str, Any]:
    """The properties that say something: generated templates write empty ones (``RequestParameters:
    {}``, ``Policy: ""``) that mean the default, so they are not warned about."""
    return {key: value for key, value in properties.items() if value not in (None, "", {}, [])}


def text(value: Any) -> str:
    return "" if value is None else str(value)


def children_by_api(
    raw: RawTemplate, resource_type: str, api_key: str, api_ids: Collection[str], quiet: Collection[str] = ()
) -> Children:
    """The resources of a type that belong to an API (``RestApiId``/``ApiId``), properties resolved and
    reviewed, grouped by the API's logical id. One naming no API of the template gets a warning;
    those of an API in ``quiet`` (already warned about as a whole) are left out without one."""
    grouped: Children = {}
    for logical_id in raw.ids_of_type(resource_type):
        api_id = text(raw.resolve(raw.raw_properties(logical_id).get(api_key), logical_id))
        if api_id in quiet:
            continue
        if api_id not in api_ids:
            raw.notes.ignore(
                f"{resource_type} whose {api_key} names no API of the template is not served", logical_id
            )
            continue
        properties = raw.properties(logical_id)
        review_properties(logical_id, resource_type, present(properties), raw.notes)
        grouped.setdefault(api_id, []).append((logical_id, properties))
    return grouped
