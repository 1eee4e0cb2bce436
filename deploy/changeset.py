"""What a change set would do, and whether it would lose data, decided before it is executed (pure).

DescribeChangeSet lists one ``ResourceChange`` per resource: ``Action`` (Add, Modify, Remove, Import,
Dynamic), for a Modify ``Replacement`` (True, False, Conditional) and ``Scope`` (Properties,
Metadata, Tags...), and ``Details``, whose ``Target`` names what changes (``Attribute`` Properties,
``Name`` KeySchema) and ``RequiresRecreation`` (Never, Conditionally, Always): the property that
forces a replacement. (AWS CloudFormation API reference: ResourceChange, ResourceChangeDetail,
ResourceTargetDefinition.)

A stateful resource (a table's items, a secret's keys) that is replaced comes back new and empty,
and one that is removed is deleted with its data, unless its DeletionPolicy is Retain: then it
only leaves the stack, which loses nothing. Which resources are stateful is decided by their type,
never by their name.

Stand-ins may give less: moto's change sets have Action, LogicalResourceId and ResourceType only
(no Replacement, Scope or Details). A Modify of a stateful resource without a Replacement field is
then judged from the templates: the properties that differ between the deployed template and the
new one, any of which may force the replacement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Resource types whose replacement or deletion loses data, and what is lost.
STATEFUL_TYPES: Mapping[str, str] = {
    "AWS::DynamoDB::Table": "its items",
    "AWS::DynamoDB::GlobalTable": "its items",
    "AWS::SecretsManager::Secret": "its secret value (signing keys, their public keys, the hashing key)",
    "AWS::S3::Bucket": "its objects",
    "AWS::KMS::Key": "what it encrypted",
    "AWS::Cognito::UserPool": "its users",
}
# A resource with one of these DeletionPolicy values is kept when it leaves the stack.
RETAINING_POLICIES = frozenset({"Retain", "RetainExceptOnCreate"})
_FORCING = ("Always", "Conditionally")


@dataclass(frozen=True)
class PlannedChange:
    action: str
    logical_id: str
    resource_type: str
    physical_id: str = ""
    replacement: str = ""  # "True" | "False" | "Conditional"; "" when the change set does not say
    scope: tuple[str, ...] = ()
    recreation_causes: tuple[str, ...] = ()  # "KeySchema (RequiresRecreation: Always)"

    @property
    def stateful(self) -> bool:
        return self.resource_type in STATEFUL_TYPES

    def line(self) -> str:
        """One line of the printed change set."""
        suffix = ""
        if self.replacement in ("True", "Conditional"):
            kind = "replacement" if self.replacement == "True" else "may be replaced"
            causes = f": {', '.join(self.recreation_causes)}" if self.recreation_causes else ""
            suffix = f" ({kind}{causes})"
        return f"  {self.action:8}  {self.logical_id:32}  {self.resource_type}{suffix}"


def parse_changes(changes: list[dict[str, Any]]) -> list[PlannedChange]:
    """DescribeChangeSet's ``Changes`` (every page) as PlannedChange, in the order given."""
    planned = []
    for change in changes:
        resource = change.get("ResourceChange")
        if not isinstance(resource, dict):
            continue  # e.g. a hook invocation, not a resource
        causes = []
        for detail in resource.get("Details") or []:
            target = detail.get("Target") or {}
            if target.get("RequiresRecreation") in _FORCING:
                name = target.get("Name") or target.get("Attribute") or "?"
                causes.append(f"{name} (RequiresRecreation: {target['RequiresRecreation']})")
        planned.append(
            PlannedChange(
                action=str(resource.get("Action", "")),
                logical_id=str(resource.get("LogicalResourceId", "")),
                resource_type=str(resource.get("ResourceType", "")),
                physical_id=str(resource.get("PhysicalResourceId") or ""),
                replacement=str(resource.get("Replacement") or ""),
                scope=tuple(resource.get("Scope") or ()),
                recreation_causes=tuple(dict.fromkeys(causes)),  # once each, in order
            )
        )
    return planned


@dataclass(frozen=True)
class DataRisk:
    change: PlannedChange
    what: str  # "ItemsTable (AWS::DynamoDB::Table) replaced, forced by KeySchema (...)"
    loses_data: bool  # False: e.g. a retained table leaving the stack, said as a note


def data_risks(
    changes: list[PlannedChange],
    *,
    deployed: Mapping[str, Any] | None,
    new: Mapping[str, Any],
) -> list[DataRisk]:
    """The stateful resources the change set would replace or delete; ``deployed`` and ``new`` are
    the stack's current template and the one deployed now (None: the current one is unknown)."""
    deployed_resources = _resources(deployed)
    new_resources = _resources(new)
    risks = []
    for change in changes:
        if not change.stateful:
            continue
        name = f"{change.logical_id} ({change.resource_type})"
        lost = STATEFUL_TYPES[change.resource_type]
        if change.action == "Remove":
            policy = deployed_resources.get(change.logical_id, {}).get("DeletionPolicy", "Delete")
            if deployed is None:
                risks.append(DataRisk(change, f"{name} removed (its DeletionPolicy could not be read)", True))
            elif policy in RETAINING_POLICIES:
                what = f"{name} leaves the stack but is kept (DeletionPolicy {policy}): no data is lost"
                risks.append(DataRisk(change, what, False))
            else:
                risks.append(DataRisk(change, f"{name} deleted with {lost} (DeletionPolicy {policy})", True))
        elif change.action == "Modify":
            risk = _replacement_risk(
                change, name, deployed_resources, new_resources, known=deployed is not None
            )
            if risk is not None:
                risks.append(risk)
    return risks


def _replacement_risk(
    change: PlannedChange,
    name: str,
    deployed: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    known: bool,
) -> DataRisk | None:
    lost = STATEFUL_TYPES[change.resource_type]
    kept = new.get(change.logical_id, {}).get("UpdateReplacePolicy") in RETAINING_POLICIES
    after = (
        " (the old one is kept, UpdateReplacePolicy Retain, but the stack moves to a new, empty one)"
        if kept
        else f" (a new, empty one; the old one is deleted with {lost})"
    )
    if change.replacement in ("True", "Conditional"):
        verb = "replaced" if change.replacement == "True" else "possibly replaced (Replacement: Conditional)"
        causes = ", ".join(change.recreation_causes) or f"a change to its {'/'.join(change.scope) or '?'}"
        return DataRisk(change, f"{name} {verb}, forced by {causes}{after}", True)
    if change.replacement:  # "False": updated in place
        return None
    # No Replacement field (moto and other stand-ins): judge from the templates.
    if not known:
        return DataRisk(change, f"{name} modified; the change set does not say whether it is replaced", True)
    changed = _changed_properties(deployed.get(change.logical_id, {}), new.get(change.logical_id, {}))
    if not changed:
        return None
    return DataRisk(
        change,
        f"{name} possibly replaced, forced by {', '.join(changed)} (the change set gives no Replacement "
        f"or Details: these properties differ from the deployed template){after}",
        True,
    )


def _resources(template: Mapping[str, Any] | None) -> Mapping[str, Any]:
    resources = (template or {}).get("Resources")
    return resources if isinstance(resources, Mapping) else {}


def _changed_properties(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    old_props, new_props = old.get("Properties") or {}, new.get("Properties") or {}
    return sorted(k for k in set(old_props) | set(new_props) if old_props.get(k) != new_props.get(k))
