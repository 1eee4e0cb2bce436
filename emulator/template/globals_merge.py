"""SAM ``Globals``: how a global property combines with the resource's own.

SAM documents three rules (Globals section, "Overridable"): primitives (strings, numbers,
booleans) are overridden by the resource; maps are merged, the resource winning on a conflict
(so ``Environment.Variables`` combine key by key); lists are additive, the global items first.
An intrinsic function (``{"Ref": ...}``, ``{"Fn::...": ...}``) counts as a primitive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.template.documents import FN_TAGS


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _INTRINSIC_KEYS


_INTRINSIC_KEYS = frozenset({"Ref", "Condition", "Fn::GetAtt"} | {f"Fn::{name}" for name in FN_TAGS})


def merge_global_value(global_value: Any, local_value: Any) -> Any:
    if _is_intrinsic(global_value) or _is_intrinsic(local_value):
        return local_value
    if isinstance(global_value, dict) and isinstance(local_value, dict):
        merged = dict(global_value)
        for key, value in local_value.items():
            merged[key] = merge_global_value(global_value[key], value) if key in global_value else value
        return merged
    if isinstance(global_value, list) and isinstance(local_value, list):
        return [*global_value, *local_value]
    return local_value


def apply_globals(
    global_properties: Mapping[str, Any] | None, properties: Mapping[str, Any]
) -> dict[str, Any]:
    """The resource's Properties with the matching ``Globals`` section merged in."""
    if not global_properties:
        return dict(properties)
    return merge_global_value(dict(global_properties), dict(properties))
