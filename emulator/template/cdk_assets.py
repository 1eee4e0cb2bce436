"""Local code of a function whose ``Code`` is in S3: a CDK asset directory, or the package of a
Serverless Framework deployment.

- CDK: ``cdk synth`` writes each asset next to the template (``cdk.out/asset.<hash>``) and marks
  the resource with ``Metadata: {aws:asset:path: asset.<hash>, aws:asset:property: Code}``. SAM CLI
  reads this metadata to run CDK output locally (``sam local start-api -t cdk.out/X.template.json``);
  so does serve. The path is relative to the template's directory.
- Serverless Framework: ``serverless package`` writes the template
  (``.serverless/cloudformation-template-update-stack.json``) next to the zip it uploads; each
  function's ``Code.S3Key`` ends with that zip's file name. A zip of that name next to the template
  is used; without it the function cannot run (the message says how to make it).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

ASSET_PATH = "aws:asset:path"
ASSET_PROPERTY = "aws:asset:property"


def asset_path(resource: Mapping[str, Any], property_name: str, template_dir: Path) -> Path | None:
    """The local asset that replaces ``property_name`` of a CDK-synthesised resource, if any."""
    metadata = resource.get("Metadata")
    if not isinstance(metadata, dict) or metadata.get(ASSET_PROPERTY) != property_name:
        return None
    path = metadata.get(ASSET_PATH)
    if not isinstance(path, str) or not path:
        return None
    return (template_dir / path).resolve()


def packaged_zip(s3_key: Any, template_dir: Path) -> Path | None:
    """The Serverless Framework package: ``S3Key``'s file name, next to the template."""
    name = str(s3_key or "").rsplit("/", 1)[-1]
    if not name.lower().endswith(".zip"):
        return None
    candidate = template_dir / name
    return candidate.resolve() if candidate.is_file() else None
