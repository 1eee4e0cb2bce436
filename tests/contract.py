"""The API's response shapes as every test layer checks them, read from their one home:
docs/openapi.yaml (the contract the iOS client is generated from), not copied per layer."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

SPEC_PATH = Path(__file__).resolve().parents[1] / "docs" / "openapi.yaml"


@functools.cache
def _schemas() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))["components"]["schemas"]


def required_fields(schema: str) -> frozenset[str]:
    """The fields every instance of ``components.schemas[schema]`` carries."""
    return frozenset(_schemas()[schema]["required"])


def property_names(schema: str) -> frozenset[str]:
    return frozenset(_schemas()[schema]["properties"])
