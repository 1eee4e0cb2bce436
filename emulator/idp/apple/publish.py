"""Serve publishes the Apple developer key where the backend reads it: the local Secrets Manager.

On AWS the developer stores the key downloaded from Apple's portal in Secrets Manager; locally,
serve does it at start, on the endpoint that provisioning uses (the embedded one, or LocalStack
under docker-compose), under a fixed name, with the key in the shape of the provider's file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from emulator.idp.apple.keys import DeveloperKey

SECRET_NAME = "emulator/idp/apple/developer-key"  # noqa: S105 - a name, not a secret
_DESCRIPTION = "Sign in with Apple key of the emulator's local Apple provider (teamId, keyId, privateKeyPem)"


def publish_developer_key(secretsmanager: Any, key: DeveloperKey, *, log: Callable[[str], None]) -> str:
    """Create the secret, or put the key as its new value if it holds another; returns what was done."""
    value = key.document()
    try:
        described = secretsmanager.describe_secret(SecretId=SECRET_NAME)
    except secretsmanager.exceptions.ResourceNotFoundException:
        secretsmanager.create_secret(
            Name=SECRET_NAME, Description=_DESCRIPTION, SecretString=json.dumps(value)
        )
        log(_published(key))
        return "created"
    if described.get("DeletedDate"):  # scheduled for deletion: bring it back, as its name is taken
        secretsmanager.restore_secret(SecretId=SECRET_NAME)
    try:
        current = json.loads(
            secretsmanager.get_secret_value(SecretId=SECRET_NAME).get("SecretString") or "null"
        )
    except (secretsmanager.exceptions.ResourceNotFoundException, ValueError):
        current = None  # a secret with no current value, or not JSON: replaced below
    if current == value:
        return "unchanged"
    secretsmanager.put_secret_value(SecretId=SECRET_NAME, SecretString=json.dumps(value))
    log(_published(key))
    return "updated"


def _published(key: DeveloperKey) -> str:
    return f"Published the Apple developer key (team {key.team_id}, key {key.key_id}) as secret {SECRET_NAME}"
