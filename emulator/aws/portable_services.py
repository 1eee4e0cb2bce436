"""Secrets Manager, SSM and SES in the portable state document (:mod:`.portable_state`).

Each secret with every version, its stages, tags and rotation settings; each SSM parameter with
its version history, labels and tags (SecureString values decrypted: the document is a plain
file in the user's data dir, as the journal already is); SES's verified identities, templates and
configuration sets. Sent emails and idempotency tokens are the endpoint's own lists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from emulator.aws.portable_backends import Api, StateError, backend, iter_backends, warn_not_kept


# -- Secrets Manager -----------------------------------------------------------------------------
def capture_secrets() -> list[dict[str, Any]]:
    secrets = []
    for account, region, secretsmanager in iter_backends("secretsmanager"):
        for secret in list(dict.values(secretsmanager.secrets)):
            if not hasattr(secret, "versions"):  # a replica: made again by its primary
                continue
            secrets.append(
                {
                    "account": account,
                    "region": region,
                    "arn": secret.arn,
                    "name": secret.name,
                    "description": secret.description,
                    "kmsKeyId": secret.kms_key_id,
                    "tags": secret.tags or [],
                    "createdDate": secret.created_date,
                    "lastChangedDate": secret.last_changed_date,
                    "deletedDate": secret.deleted_date,
                    "policy": secret.policy,
                    "rotation": {
                        "requested": secret.rotation_requested,
                        "enabled": secret.rotation_enabled,
                        "lambdaArn": secret.rotation_lambda_arn,
                        "automaticallyAfterDays": secret.auto_rotate_after_days,
                        "lastRotatedDate": secret.last_rotation_date,
                        "nextRotationDate": secret.next_rotation_date,
                    },
                    "currentVersionId": secret.default_version_id,
                    "versions": [_version(v) for v in secret.versions.values()],
                }
            )
    return secrets


def _version(version: dict[str, Any]) -> dict[str, Any]:
    entry = {
        "versionId": version["version_id"],
        "stages": list(version.get("version_stages") or []),
        "createdDate": version.get("createdate"),
    }
    if "secret_string" in version:
        entry["secretString"] = version["secret_string"]
    if "secret_binary" in version:  # moto keeps the base64 text the client sent
        entry["secretBinary"] = version["secret_binary"]
    return entry


def restore_secrets(secrets: list[dict[str, Any]], api: Api) -> None:
    from moto.utilities.id_generator import moto_id_manager

    for secret in secrets:
        account, region, name = secret["account"], secret["region"], secret["name"]
        request: dict[str, Any] = {"Name": name}
        if secret.get("description"):
            request["Description"] = secret["description"]
        if secret.get("kmsKeyId") and secret["kmsKeyId"] != "alias/aws/secretsmanager":
            request["KmsKeyId"] = secret["kmsKeyId"]
        if secret.get("tags"):
            request["Tags"] = secret["tags"]
        identifier = arn_identifier(secret.get("arn"))
        if identifier is not None:  # the same ARN as before: clients and functions hold it
            moto_id_manager.set_custom_id(identifier[0], identifier[1])
        try:
            api.json("secretsmanager", "CreateSecret", request, account, region)
        finally:
            if identifier is not None:
                moto_id_manager.unset_custom_id(identifier[0])
        _set_secret_state(backend("secretsmanager", account, region).secrets[name], secret)


def _set_secret_state(target: Any, secret: dict[str, Any]) -> None:
    """Versions, stages, dates and rotation exactly as captured (no API call sets them all)."""
    versions = {}
    for version in secret.get("versions") or []:
        entry: dict[str, Any] = {
            "version_id": version["versionId"],
            "version_stages": list(version.get("stages") or []),
            "createdate": version.get("createdDate"),
        }
        if "secretString" in version:
            entry["secret_string"] = version["secretString"]
        if "secretBinary" in version:
            entry["secret_binary"] = version["secretBinary"]
        versions[version["versionId"]] = entry
    target.versions = versions
    target.default_version_id = secret.get("currentVersionId")
    target.created_date = secret.get("createdDate", target.created_date)
    target.last_changed_date = secret.get("lastChangedDate", target.last_changed_date)
    target.deleted_date = secret.get("deletedDate")
    target.policy = secret.get("policy")
    rotation = secret.get("rotation") or {}
    target.rotation_requested = bool(rotation.get("requested"))
    target.rotation_enabled = bool(rotation.get("enabled"))
    target.rotation_lambda_arn = rotation.get("lambdaArn") or ""
    target.auto_rotate_after_days = rotation.get("automaticallyAfterDays") or 0
    target.last_rotation_date = rotation.get("lastRotatedDate")
    target.next_rotation_date = rotation.get("nextRotationDate")


def arn_identifier(arn: Any) -> tuple[Any, str] | None:
    """``arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX`` -> (moto's id, SUFFIX)."""
    from moto.secretsmanager.utils import SecretsManagerSecretIdentifier

    if not isinstance(arn, str) or arn.count(":") < 6:
        return None
    parts = arn.split(":", 6)
    name, _, suffix = parts[6].rpartition("-")
    if not name:
        return None
    return SecretsManagerSecretIdentifier(parts[4], parts[3], name), suffix


# -- SSM -----------------------------------------------------------------------------------------
def capture_parameters() -> list[dict[str, Any]]:
    parameters = []
    for account, region, ssm in iter_backends("ssm"):
        if ssm._documents or ssm.windows or ssm.baselines or ssm._commands:
            warn_not_kept("SSM documents, commands, maintenance windows and patch baselines")
        tags = ssm._resource_tags.get("Parameter", {})
        for name, versions in list(dict.items(ssm._parameters)):
            if not versions or name.startswith("/aws/"):  # AWS's public parameters, not the user's
                continue
            parameters.append(
                {
                    "account": account,
                    "region": region,
                    "name": name,
                    "tags": dict(tags.get(name) or {}),
                    "versions": [_parameter_version(p) for p in versions],
                }
            )
    return parameters


def _parameter_version(parameter: Any) -> dict[str, Any]:
    modified = parameter.last_modified_date
    return {
        "version": parameter.version,
        "type": parameter.parameter_type,
        "value": parameter.decrypt(parameter.value),
        "description": parameter.description,
        "allowedPattern": parameter.allowed_pattern,
        "keyId": parameter.keyid,
        "dataType": parameter.data_type,
        "tier": parameter.tier,
        "policies": parameter.policies,
        "labels": list(parameter.labels or []),
        "lastModifiedDate": modified.timestamp() if isinstance(modified, datetime) else modified,
    }


def restore_parameters(parameters: list[dict[str, Any]], api: Api) -> None:
    for parameter in parameters:
        account, region, name = parameter["account"], parameter["region"], parameter["name"]
        versions = parameter.get("versions") or []
        for number, version in enumerate(versions):
            request: dict[str, Any] = {"Name": name, "Value": version["value"], "Type": version["type"]}
            for key, field in (
                ("Description", "description"),
                ("AllowedPattern", "allowedPattern"),
                ("DataType", "dataType"),
                ("Tier", "tier"),
                ("Policies", "policies"),
            ):
                if version.get(field):
                    request[key] = version[field]
            if version["type"] == "SecureString" and version.get("keyId"):
                request["KeyId"] = version["keyId"]
            if number:
                request["Overwrite"] = True
            api.json("ssm", "PutParameter", request, account, region)
        if parameter.get("tags"):
            tags = [{"Key": k, "Value": v} for k, v in parameter["tags"].items()]
            body = {"ResourceType": "Parameter", "ResourceId": name, "Tags": tags}
            api.json("ssm", "AddTagsToResource", body, account, region)
        # The history as it was: version numbers (the oldest may have been dropped), labels, dates.
        restored = dict.get(backend("ssm", account, region)._parameters, name) or []
        if len(restored) != len(versions):
            raise StateError(
                f"ssm parameter {name}: {len(versions)} versions given, {len(restored)} restored"
            )
        for target, version in zip(restored, versions, strict=True):
            target.version = version.get("version", target.version)
            target.labels = list(version.get("labels") or [])
            if isinstance(version.get("lastModifiedDate"), int | float):
                target.last_modified_date = datetime.fromtimestamp(version["lastModifiedDate"], UTC)


# -- SES -----------------------------------------------------------------------------------------
def capture_ses() -> dict[str, Any]:
    identities, templates, configuration_sets = [], [], []
    for account, region, ses in iter_backends("ses"):
        if (
            ses.receipt_rule_set
            or ses.contacts_lists
            or ses.dedicated_ip_pools
            or ses.config_set_event_destination
        ):
            warn_not_kept("SES receipt rules, contact lists, dedicated IP pools and event destinations")
        for identity in list(ses.email_identities.values()):
            identities.append(
                {
                    "account": account,
                    "region": region,
                    "identity": identity.email_identity,
                    "tags": identity.tags or [],
                    "configurationSetName": identity.configuration_set_name,
                }
            )
        templates.extend(
            {"account": account, "region": region, "template": dict(t)} for t in ses.templates.values()
        )
        configuration_sets.extend(
            {"account": account, "region": region, "name": name} for name in list(ses.config_sets)
        )
    return {"identities": identities, "templates": templates, "configurationSets": configuration_sets}


def restore_ses(state: dict[str, Any]) -> None:
    for entry in state.get("configurationSets") or []:
        backend("ses", entry["account"], entry["region"]).create_configuration_set(entry["name"])
    for entry in state.get("identities") or []:
        ses = backend("ses", entry["account"], entry["region"])
        ses.create_email_identity_v2(
            entry["identity"], entry.get("tags") or None, None, entry.get("configurationSetName")
        )
    for entry in state.get("templates") or []:
        template = entry["template"]
        name = template.get("template_name") or template.get("TemplateName")
        if not isinstance(name, str):
            raise StateError(f"ses template without a name: {sorted(template)}")
        backend("ses", entry["account"], entry["region"]).templates[name] = dict(template)
