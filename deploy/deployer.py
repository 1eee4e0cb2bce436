"""``make deploy STAGE=...``: upload the zip, deploy the template through a change set, print the URL.

``make plan`` stops after printing the change set (and deletes it). ``make deploy`` refuses a
change set that would replace or delete a stateful resource (deploy/changeset.py) unless
``--allow-replacement``, and asks before executing it unless ``--yes`` / ``CI=true``.

The signing keys are not created here: the template's SigningKeysSecret holds no key material
(``{"keys": []}``) and its RotationSchedule has RotateImmediatelyOnUpdate, so Secrets Manager
invokes KeyRotationFunction right after creation and that function generates the first ES256 key
inside AWS. This waits for that first rotation (DescribeSecret's LastRotatedDate; the private
secret's value is never read here), and for the public keys to be published (``deploy.keys``), so
that the printed URL serves tokens at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from deploy.changeset import data_risks
from deploy.cloudformation import ChangeSet, Stack
from deploy.errors import DeployCancelled, DeployError
from deploy.keys import ensure_public_keys
from deploy.packaged import packaged_template
from deploy.template_file import load_template
from deploy.upload import DeploymentBucket, default_bucket_name

PROJECT_TAG = "ios-auth-backend"


def stack_name_for(stage: str) -> str:
    return f"ios-auth-{stage}"


@dataclass
class DeployRequest:
    template_path: Path
    zip_path: Path
    stage: str
    architecture: str | None = None  # None: as the template declares
    stack_name: str | None = None
    bucket: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)
    poll_interval_s: float = 5.0
    signing_key_timeout_s: float = 180.0
    # Apply the SAM transform here (aws-sam-translator) instead of in CloudFormation: for
    # endpoints without the AWS::Serverless macro (moto's CloudFormation, used by the tests).
    transform_locally: bool = False
    # Go ahead with a change set that replaces or deletes a stateful resource (a table, a secret).
    allow_replacement: bool = False
    # Asked with the question before the change set is executed; True goes on. None: no question
    # (--yes, CI=true; the library default).
    confirm: Callable[[str], bool] | None = None


@dataclass(frozen=True)
class _Prepared:
    stack: Stack
    template_url: str
    template: dict[str, Any]  # as handed to CloudFormation
    where: str  # "account 123456789012, eu-west-1"


def _prepare(session: Any, request: DeployRequest, log: Callable[[str], None]) -> _Prepared:
    """Upload the artifact and the packaged template: what a change set is made from."""
    if not request.zip_path.is_file():
        raise DeployError(f"{request.zip_path}: no artifact; run `make package` first")
    region = session.region_name
    if not region:
        raise DeployError("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION / a profile's region)")
    stack_name = request.stack_name or stack_name_for(request.stage)
    account_id = _account_id(session)
    bucket = DeploymentBucket(
        session.client("s3"), request.bucket or default_bucket_name(account_id, region), region, log
    )
    bucket.ensure()
    code = bucket.upload_artifact(request.zip_path, stack_name)
    template = packaged_template(
        load_template(request.template_path), code, architecture=request.architecture
    )
    if request.transform_locally:
        from deploy.lint import transform

        template = transform(template, region=region)
    template_url = bucket.upload_template(template, stack_name)
    stack = Stack(
        session.client("cloudformation"), stack_name, log=log, poll_interval_s=request.poll_interval_s
    )
    return _Prepared(stack, template_url, template, f"account {account_id}, {region}")


def _change_set(prepared: _Prepared, request: DeployRequest, *, plan_only: bool) -> ChangeSet | None:
    change_set = prepared.stack.create_change_set(
        template_url=prepared.template_url,
        parameters={**request.parameters, "Stage": request.stage},
        tags={"project": PROJECT_TAG, "stage": request.stage},
        plan_only=plan_only,
    )
    if change_set is not None:
        prepared.stack.print_changes(change_set)
    return change_set


def _check_data_loss(
    prepared: _Prepared, change_set: ChangeSet, request: DeployRequest, log: Callable[[str], None]
) -> None:
    """Refuse (DeployError) a change set that replaces or deletes a stateful resource, unless
    --allow-replacement; say so when one leaves the stack but is kept."""
    needs_deployed = any(c.stateful and c.action in ("Modify", "Remove") for c in change_set.changes)
    risks = data_risks(
        change_set.changes,
        deployed=prepared.stack.deployed_template() if needs_deployed else None,
        new=prepared.template,
    )
    for risk in risks:
        if not risk.loses_data:
            log(f"Note: {risk.what}")
    losing = [risk.what for risk in risks if risk.loses_data]
    if not losing:
        return
    if request.allow_replacement:
        log("--allow-replacement: going ahead although " + "; ".join(losing))
        return
    raise DeployError(
        "refusing to replace or delete stateful resources: " + "; ".join(losing) + ". Nothing was "
        "changed (the change set is deleted); pass --allow-replacement (make ... ALLOW_REPLACEMENT=1) "
        "if that is what you mean"
    )


def plan(session: Any, request: DeployRequest, *, log: Callable[[str], None] = print) -> ChangeSet | None:
    """``make plan``: create and print the change set, check it as deploy would, then delete it.

    Deleted rather than kept: deploy makes its own change set from the build of its time and asks
    before executing it, so a kept one would only be a stale second way to production (and, for
    a new stack, would leave an empty stack in REVIEW_IN_PROGRESS behind).
    """
    prepared = _prepare(session, request, log)
    change_set = _change_set(prepared, request, plan_only=True)
    if change_set is None:
        return None
    try:
        _check_data_loss(prepared, change_set, request, log)
    finally:
        prepared.stack.discard(change_set)
    log(
        f"Plan only: change set {change_set.name} deleted, nothing changed. `make deploy` makes a new "
        "one and asks before executing it."
    )
    return change_set


def deploy(session: Any, request: DeployRequest, *, log: Callable[[str], None] = print) -> dict[str, str]:
    """Deploy and return the stack's outputs (ApiUrl, table names...)."""
    prepared = _prepare(session, request, log)
    stack = prepared.stack
    change_set = _change_set(prepared, request, plan_only=False)
    if change_set is not None:
        try:
            _check_data_loss(prepared, change_set, request, log)
            question = (
                f"Execute change set {change_set.name} on stack {stack.name} ({prepared.where})? [y/N] "
            )
            if request.confirm is not None and not request.confirm(question):
                raise DeployCancelled("not confirmed: change set deleted, nothing changed")
        except DeployError:
            stack.discard(change_set)
            raise
        stack.execute(change_set)
    outputs = stack.outputs()
    secret_arn = outputs.get("SigningKeysSecretArn")
    if secret_arn:
        secrets = session.client("secretsmanager")
        _wait_for_first_key(secrets, secret_arn, request, log)
        public_arn = outputs.get("SigningPublicKeysSecretArn")
        if public_arn:
            ensure_public_keys(
                secrets,
                secret_arn,
                public_arn,
                log=log,
                timeout_s=request.signing_key_timeout_s,
                poll_interval_s=request.poll_interval_s,
            )
    for line in outputs_report(outputs):
        log(line)
    return outputs


def outputs_report(outputs: Mapping[str, str]) -> list[str]:
    """The stack's outputs, one per line, then the line to copy into the iOS app's config."""
    lines = [f"  {key:24} {value}" for key, value in sorted(outputs.items())]
    if "ApiUrl" in outputs:
        lines.append(f"Invoke URL: {outputs['ApiUrl']}")
    else:
        lines.append("The stack has no ApiUrl output: find the URL under API Gateway > Stages in the console")
    return lines


def destroy(
    session: Any,
    *,
    stage: str,
    stack_name: str | None = None,
    log: Callable[[str], None] = print,
    poll_interval_s: float = 5.0,
) -> None:
    stack = Stack(
        session.client("cloudformation"),
        stack_name or stack_name_for(stage),
        log=log,
        poll_interval_s=poll_interval_s,
    )
    stack.delete()
    log(
        "Tables with DeletionPolicy Retain (users, identities) are kept; delete them in the console "
        "or with `aws dynamodb delete-table` once you are sure."
    )


def _account_id(session: Any) -> str:
    try:
        return str(session.client("sts").get_caller_identity()["Account"])
    except ClientError as exc:
        raise DeployError(
            f"AWS credentials rejected: {exc.response.get('Error', {}).get('Message')}"
        ) from None
    except Exception as exc:  # NoCredentialsError and friends: botocore has no common base for them
        raise DeployError(f"no usable AWS credentials: {exc}") from None


def _wait_for_first_key(
    secrets: Any, secret_arn: str, request: DeployRequest, log: Callable[[str], None]
) -> None:
    deadline = time.monotonic() + request.signing_key_timeout_s
    while True:
        described = secrets.describe_secret(SecretId=secret_arn)
        if described.get("LastRotatedDate"):
            log(f"Signing key in place (secret rotated {described['LastRotatedDate']})")
            return
        if time.monotonic() > deadline:
            log(
                "WARNING: the signing-key secret has not been rotated yet; tokens cannot be issued until "
                "KeyRotationFunction succeeds (see its CloudWatch logs)"
            )
            return
        time.sleep(request.poll_interval_s)
