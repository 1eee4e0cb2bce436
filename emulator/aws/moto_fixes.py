"""Corrections to moto where it departs from AWS in ways the backend depends on.

Applied after a successful mutating request, live and on replay alike (so a replayed journal
ends in the same state).
"""

from __future__ import annotations

from moto.core import DEFAULT_ACCOUNT_ID

from emulator.aws.requests import AwsRequest


def after_write(request: AwsRequest) -> None:
    if request.service == "secretsmanager" and request.action == "UpdateSecretVersionStage":
        _follow_awscurrent(request)


def _follow_awscurrent(request: AwsRequest) -> None:
    """AWS: GetSecretValue without VersionId/VersionStage returns the AWSCURRENT version. moto
    answers with the version it last created, and UpdateSecretVersionStage moving AWSCURRENT
    (finishSecret of every rotation function) does not change that: after a rotation, moto would
    keep serving the old value."""
    body = request.json()
    target = body.get("MoveToVersionId")
    if body.get("VersionStage") != "AWSCURRENT" or not isinstance(target, str):
        return
    from moto.secretsmanager.models import secretsmanager_backends

    account = request.headers.get("x-moto-account-id", DEFAULT_ACCOUNT_ID)
    secrets = secretsmanager_backends[account][request.region or "us-east-1"].secrets
    secret_id = body.get("SecretId")
    if not isinstance(secret_id, str) or secret_id not in secrets:
        return
    secret = secrets[secret_id]
    version = getattr(secret, "versions", {}).get(target)
    if version is None:
        return
    secret.default_version_id = target
    if "secret_string" in version:
        secret.secret_string = version["secret_string"]
