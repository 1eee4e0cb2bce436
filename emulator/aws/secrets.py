"""Secrets Manager resources of the template: secrets, and the first rotation CloudFormation runs.

CloudFormation creates an ``AWS::SecretsManager::Secret`` with its ``SecretString`` or a value
generated from ``GenerateSecretString``; a ``RotationSchedule`` that is created or updated rotates
its secret at once (``RotateImmediatelyOnUpdate`` defaults to true) by invoking the rotation
function with the four steps createSecret, setSecret, testSecret, finishSecret and one
ClientRequestToken. Locally, "created or updated" is told by a tag that records a fingerprint of
the schedule's properties on the secret when it is rotated here: a new secret, a new schedule and a
changed schedule all rotate once; an unchanged one does not (restarts keep their keys).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator import log
from emulator.errors import UserError
from emulator.lambda_runtime.api import InvocationResult
from emulator.template.model import ResourceSpec, SamApp

_LOG = logging.getLogger(log.AWS)
SECRET_TYPE = "AWS::SecretsManager::Secret"  # noqa: S105 - a resource type
ROTATION_TYPE = "AWS::SecretsManager::RotationSchedule"
ROTATION_STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
# Secrets Manager appends "-" and 6 random characters to a secret's name to form its ARN.
_ARN_SECRET = re.compile(
    r"^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(?P<name>.+?)(?:-(?P<suffix>[A-Za-z0-9]{6}))?$"
)
# moto's tag for choosing the ARN suffix (moto.utilities.id_generator.TAG_KEY_CUSTOM_ID).
_MOTO_CUSTOM_ID_TAG = "_custom_id_"
# The fingerprint of the RotationSchedule that last rotated the secret here (see the docstring).
ROTATION_SCHEDULE_TAG = "emulator:rotation-schedule"
# GenerateSecretString options that GetRandomPassword takes under the same names.
_PASSWORD_OPTIONS = (
    "PasswordLength",
    "ExcludeCharacters",
    "ExcludeNumbers",
    "ExcludePunctuation",
    "ExcludeUppercase",
    "ExcludeLowercase",
    "IncludeSpace",
    "RequireEachIncludedType",
)


def secret_name(spec: ResourceSpec) -> tuple[str, str | None]:
    """(name, ARN suffix the template expects or None) for a secret resource."""
    matched = _ARN_SECRET.match(spec.physical_name)
    name = spec.properties.get("Name")
    if name:
        suffix = matched.group("suffix") if matched and matched.group("name") == name else None
        return str(name), suffix
    if matched:
        return matched.group("name"), matched.group("suffix")
    return spec.physical_name, None


def provision_secrets(
    app: SamApp,
    secretsmanager: Any,
    *,
    invoke: Callable[[str, Mapping[str, Any]], InvocationResult] | None,
) -> None:
    secrets: dict[str, _Secret] = {}  # logical id -> the secret as found or created in this run
    by_reference: dict[str, str] = {}  # physical name / ARN / name -> logical id
    for spec in app.resources_of_type(SECRET_TYPE):
        name, suffix = secret_name(spec)
        by_reference.update(
            {spec.physical_name: spec.logical_id, name: spec.logical_id, spec.logical_id: spec.logical_id}
        )
        secret = _ensure_secret(secretsmanager, spec, name, suffix)
        secrets[spec.logical_id] = secret
        by_reference[secret.arn] = spec.logical_id
    for schedule in app.resources_of_type(ROTATION_TYPE):
        secret_id = str(schedule.properties.get("SecretId", ""))
        logical_id = by_reference.get(secret_id)
        if logical_id is None:
            continue
        secret, fingerprint = secrets[logical_id], schedule_fingerprint(schedule)
        if not secret.created and secret.tags.get(ROTATION_SCHEDULE_TAG) == fingerprint:
            continue  # neither the secret nor its schedule is new: CloudFormation would not rotate
        if str(schedule.properties.get("RotateImmediatelyOnUpdate", "true")).lower() == "false":
            continue
        function_id = rotation_function(app, schedule)
        if invoke is None:
            _LOG.warning(
                "warning: %s: no Lambda runtime to rotate %s; skipped", schedule.logical_id, logical_id
            )
            continue
        try:
            rotate_once(secret.arn, function_id, invoke)
        except UserError as exc:
            if not secret.created:  # an update that failed: the secret keeps its current version
                raise
            # CloudFormation would roll the stack back, deleting the new secret; do the same so
            # that the next start creates and rotates it again instead of keeping it unrotated.
            secretsmanager.delete_secret(SecretId=secret.arn, ForceDeleteWithoutRecovery=True)
            raise UserError(f"{exc} (secret {logical_id} removed: the next start retries)") from None
        secretsmanager.tag_resource(
            SecretId=secret.arn, Tags=[{"Key": ROTATION_SCHEDULE_TAG, "Value": fingerprint}]
        )
        why = "new secret" if secret.created else "new or changed rotation schedule"
        _LOG.info("Rotated secret %s with %s (%s)", logical_id, function_id, why)


def schedule_fingerprint(schedule: ResourceSpec) -> str:
    """A short digest of a RotationSchedule's resolved properties: it changes when the schedule does."""
    canonical = json.dumps(schedule.properties, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class _Secret:
    arn: str
    created: bool  # by this run
    tags: dict[str, str]


def _ensure_secret(secretsmanager: Any, spec: ResourceSpec, name: str, suffix: str | None) -> _Secret:
    """The secret, created if missing."""
    try:
        described = secretsmanager.describe_secret(SecretId=name)
        tags = {str(t["Key"]): str(t["Value"]) for t in described.get("Tags") or []}
        return _Secret(arn=str(described["ARN"]), created=False, tags=tags)
    except secretsmanager.exceptions.ResourceNotFoundException:
        pass
    props = spec.properties
    request: dict[str, Any] = {"Name": name, "SecretString": _secret_value(secretsmanager, spec)}
    if props.get("Description"):
        request["Description"] = str(props["Description"])
    tags = [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in props.get("Tags") or []]
    if suffix:
        # Functions get the template's ARN (!Ref) in their environment; ask moto for that suffix
        # so the ARN they hold names this secret.
        tags.append({"Key": _MOTO_CUSTOM_ID_TAG, "Value": suffix})
    if tags:
        request["Tags"] = tags
    arn = str(secretsmanager.create_secret(**request)["ARN"])
    _LOG.info("Created secret %s (%s)", name, spec.logical_id)
    return _Secret(arn=arn, created=True, tags={})


def _secret_value(secretsmanager: Any, spec: ResourceSpec) -> str:
    props = spec.properties
    if "SecretString" in props:
        return str(props["SecretString"])
    generate = props.get("GenerateSecretString")
    if generate is None:
        # CloudFormation: with neither, Secrets Manager generates a 32-character password.
        generate = {}
    options = {k: generate[k] for k in _PASSWORD_OPTIONS if k in generate}
    if "PasswordLength" in options:
        options["PasswordLength"] = int(options["PasswordLength"])
    for key in _PASSWORD_OPTIONS[2:]:
        if key in options:
            options[key] = str(options[key]).lower() == "true"
    password = secretsmanager.get_random_password(**options)["RandomPassword"]
    template = generate.get("SecretStringTemplate")
    key = generate.get("GenerateStringKey")
    if template is None:
        return str(password)
    if not key:
        raise UserError(f"secret {spec.logical_id}: SecretStringTemplate needs GenerateStringKey")
    try:
        document = json.loads(template)
    except ValueError as exc:
        raise UserError(f"secret {spec.logical_id}: SecretStringTemplate is not JSON ({exc})") from None
    document[str(key)] = password
    return json.dumps(document)


def rotation_function(app: SamApp, schedule: ResourceSpec) -> str:
    """The logical id of the function a RotationSchedule names in its ``RotationLambdaARN``."""
    arn = str(schedule.properties.get("RotationLambdaARN") or "")
    if not arn:
        raise UserError(
            f"rotation schedule {schedule.logical_id}: only RotationLambdaARN is supported locally "
            "(HostedRotationLambda needs AWS)"
        )
    function_name = arn.rsplit(":function:", 1)[-1].split(":", 1)[0]
    for function in app.functions.values():
        if function_name in (function.function_name, function.logical_id):
            return function.logical_id
    raise UserError(
        f"rotation schedule {schedule.logical_id}: RotationLambdaARN {arn} is not a function of the template"
    )


def rotate_once(
    secret_arn: str, function_id: str, invoke: Callable[[str, Mapping[str, Any]], InvocationResult]
) -> None:
    token = str(uuid.uuid4())
    for step in ROTATION_STEPS:
        result = invoke(function_id, {"Step": step, "SecretId": secret_arn, "ClientRequestToken": token})
        if result.error is not None:
            raise UserError(
                f"rotation of {secret_arn} failed at {step} in {function_id}: "
                f"{result.error.error_type}: {result.error.error_message}"
            )
