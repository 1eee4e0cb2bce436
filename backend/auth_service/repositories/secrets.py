"""Secrets Manager access: reading the signing keys, and the calls the rotation steps need."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

from auth_service.repositories.clients import BOTO_CONFIG

SECRETS = boto3.client("secretsmanager", config=BOTO_CONFIG)


def get_secret_string(
    secret_id: str, *, stage: str = "AWSCURRENT", version_id: str | None = None
) -> str | None:
    """The SecretString of a version; None if that version/stage does not exist."""
    kwargs: dict[str, Any] = {"SecretId": secret_id, "VersionStage": stage}
    if version_id is not None:
        kwargs["VersionId"] = version_id
    try:
        return SECRETS.get_secret_value(**kwargs).get("SecretString")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise


def version_stages(secret_id: str) -> dict[str, list[str]]:
    """``VersionIdsToStages`` of the secret."""
    metadata = SECRETS.describe_secret(SecretId=secret_id)
    return {str(k): [str(s) for s in v] for k, v in (metadata.get("VersionIdsToStages") or {}).items()}


def put_pending(secret_id: str, token: str, secret_string: str) -> None:
    SECRETS.put_secret_value(
        SecretId=secret_id, ClientRequestToken=token, SecretString=secret_string, VersionStages=["AWSPENDING"]
    )


def put_current(secret_id: str, secret_string: str) -> None:
    """A new version of the secret, staged AWSCURRENT (the previous one becomes AWSPREVIOUS)."""
    SECRETS.put_secret_value(SecretId=secret_id, SecretString=secret_string)


def promote_to_current(secret_id: str, token: str, current_version: str | None) -> None:
    kwargs: dict[str, Any] = {"SecretId": secret_id, "VersionStage": "AWSCURRENT", "MoveToVersionId": token}
    if current_version:
        kwargs["RemoveFromVersionId"] = current_version
    SECRETS.update_secret_version_stage(**kwargs)


def clear_pending(secret_id: str, version_id: str) -> None:
    """Remove AWSPENDING from a finished version, so a later rotation starts clean."""
    SECRETS.update_secret_version_stage(
        SecretId=secret_id, VersionStage="AWSPENDING", RemoveFromVersionId=version_id
    )
