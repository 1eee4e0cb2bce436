"""The signing keys of a deployed stage: publish the public keys once, rotate, retire a key.

The keys themselves never pass through here: every change is made by the stack's own
KeyRotationFunction inside AWS (Secrets Manager's rotation, or a direct ``retireKey`` invocation).
This module only starts those and reads the *public* keys secret to see that they took effect.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from deploy.errors import DeployError

ROTATION_FUNCTION_ID = "KeyRotationFunction"
PRIVATE_SECRET_ID = "SigningKeysSecret"  # noqa: S105 - a logical resource id
# An RFC 7638 thumbprint: 43 base64url characters (SHA-256).
_KID = re.compile(r"^[A-Za-z0-9_-]{43}$")


def public_kids(secrets: Any, public_arn: str) -> list[str]:
    """The kids the verifiers can read now (the public secret holds no private material)."""
    value = secrets.get_secret_value(SecretId=public_arn).get("SecretString") or "{}"
    try:
        keys = json.loads(value).get("keys") or []
    except (ValueError, AttributeError):
        return []
    return [str(key.get("kid")) for key in keys if isinstance(key, dict) and key.get("kid")]


def ensure_public_keys(
    secrets: Any,
    private_arn: str,
    public_arn: str,
    *,
    log: Callable[[str], None],
    timeout_s: float,
    poll_interval_s: float,
) -> None:
    """Make sure the verifiers' secret lists keys; a stack created before the two secrets existed
    has a rotated private secret and an empty public one: one rotation publishes them."""
    if public_kids(secrets, public_arn):
        return
    log("The public keys are not published yet (a stack from before the key split): rotating once")
    secrets.rotate_secret(SecretId=private_arn)
    deadline = time.monotonic() + timeout_s
    while not public_kids(secrets, public_arn):
        if time.monotonic() > deadline:
            log(
                "WARNING: the public keys are still not published; protected routes answer 401 until "
                "KeyRotationFunction succeeds (see its CloudWatch logs)"
            )
            return
        time.sleep(poll_interval_s)
    log("Public keys published")


def _physical_id(cloudformation: Any, stack_name: str, logical_id: str) -> str:
    try:
        resource = cloudformation.describe_stack_resource(StackName=stack_name, LogicalResourceId=logical_id)
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message", "")
        raise DeployError(f"stack {stack_name}: no {logical_id} ({message})") from None
    return str(resource["StackResourceDetail"]["PhysicalResourceId"])


def retire_key(session: Any, stack_name: str, kid: str, *, log: Callable[[str], None] = print) -> list[str]:
    """Remove ``kid`` from both secrets at once (the emergency procedure); returns the keys left."""
    if not _KID.match(kid):
        raise DeployError(f"{kid!r} is not a key id (43 base64url characters, as in the JWKS)")
    function = _physical_id(session.client("cloudformation"), stack_name, ROTATION_FUNCTION_ID)
    response = session.client("lambda").invoke(
        FunctionName=function, Payload=json.dumps({"Action": "retireKey", "Kid": kid}).encode()
    )
    payload = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError") or not isinstance(payload, dict):
        reason = payload.get("errorMessage") if isinstance(payload, dict) else payload
        raise DeployError(f"{function} could not retire {kid}: {reason}")
    remaining = [str(k) for k in payload.get("keys") or []]
    log(f"Retired {kid}. Keys now: {', '.join(remaining)}")
    log(
        "Verifiers refuse tokens signed by it once their key cache expires (SIGNING_KEYS_CACHE_SECONDS, "
        "5 minutes); signed-in users then refresh and get tokens signed by a remaining key."
    )
    return remaining


def rotate_key(session: Any, stack_name: str, *, log: Callable[[str], None] = print) -> None:
    """Start a rotation now (a new signing key; the oldest of the two is dropped)."""
    secret = _physical_id(session.client("cloudformation"), stack_name, PRIVATE_SECRET_ID)
    session.client("secretsmanager").rotate_secret(SecretId=secret)
    log(f"Rotation of {secret} started; the new key signs once it has been published for 10 minutes.")
