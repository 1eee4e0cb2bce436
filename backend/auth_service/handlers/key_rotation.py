"""Secrets Manager rotation function for the signing keys, and the emergency key retirement.

Secrets Manager (and the local emulator, once at first start) calls it four times with
``{"Step", "SecretId", "ClientRequestToken"}``:

- createSecret: put a new version (id = the token) staged AWSPENDING holding a fresh ES256
  key followed by the newest current key (the last ``KEEP_KEYS`` in all). Idempotent: if the
  pending version already exists, nothing is done. It does not require Secrets Manager to
  have pre-created the version (the first rotation of a brand-new secret).
- setSecret: nothing — no external system holds these keys.
- testSecret: the pending keys parse, and the newest signs a token that its public key verifies.
- finishSecret: move AWSCURRENT to the pending version (no-op if already there), drop its
  AWSPENDING label, then publish the public halves of the current keys to the public-keys secret
  (``SIGNING_PUBLIC_KEYS_SECRET_ARN``), which is all the verifiers can read. Publishing runs even
  when the version was already current, so a retried finishSecret completes it.
The newest key then signs (after its activation delay); all listed keys keep verifying until
rotated out.

Emergency retirement, invoked directly (``python -m deploy revoke-key KID``, or locally
``python -m emulator invoke KeyRotationFunction``) with ``{"Action": "retireKey", "Kid": ...}``:
the key leaves the private secret (a new AWSCURRENT version; a fresh key is created if it was the
last) and the public one at once, so the verifiers refuse its tokens as soon as their cache
expires (``SIGNING_KEYS_CACHE_SECONDS``, 5 minutes). Refused while a rotation is in progress,
which would otherwise bring the key back.
"""

from __future__ import annotations

import os
import time
from typing import Any

import jwt
from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.log import logger
from auth_service.repositories import secrets
from auth_service.signing_keys import (
    ALGORITHM,
    parse_secret,
    public_keys_secret,
    rotated_secret,
    secret_entries,
    without_key,
)

SIGNING_KEYS_SECRET_ARN = os.environ.get("SIGNING_KEYS_SECRET_ARN", "")
PUBLIC_KEYS_SECRET_ARN = os.environ.get("SIGNING_PUBLIC_KEYS_SECRET_ARN", "")


def create_secret(secret_id: str, token: str) -> None:
    if secrets.get_secret_string(secret_id, stage="AWSPENDING", version_id=token) is not None:
        logger.info("createSecret: pending version already exists")
        return
    current = secrets.get_secret_string(secret_id, stage="AWSCURRENT")
    secrets.put_pending(secret_id, token, rotated_secret(secret_entries(current)))
    logger.info("createSecret: new signing key staged as AWSPENDING")


def test_secret(secret_id: str, token: str) -> None:
    pending = secrets.get_secret_string(secret_id, stage="AWSPENDING", version_id=token)
    if pending is None:
        raise ValueError("testSecret: no AWSPENDING version for this token")
    key = parse_secret(pending).signing_key
    if key is None:
        raise ValueError("testSecret: the pending version holds no key")
    probe = jwt.encode({"probe": True, "iat": int(time.time())}, key.private_key, algorithm=ALGORITHM)
    jwt.decode(probe, key.public_key, algorithms=[ALGORITHM])


def finish_secret(secret_id: str, token: str) -> None:
    stages = secrets.version_stages(secret_id)
    current = next((version for version, labels in stages.items() if "AWSCURRENT" in labels), None)
    if current == token:
        logger.info("finishSecret: already current")
    else:
        secrets.promote_to_current(secret_id, token, current)
        if "AWSPENDING" in stages.get(token, []):
            secrets.clear_pending(secret_id, token)
        logger.info("finishSecret: new signing key is AWSCURRENT")
    publish_public_keys(secret_id)


def publish_public_keys(secret_id: str) -> None:
    """Write the public halves of the current private keys to the verifiers' secret."""
    if not PUBLIC_KEYS_SECRET_ARN:
        raise ValueError("SIGNING_PUBLIC_KEYS_SECRET_ARN is not set: nowhere to publish the public keys")
    ring = parse_secret(secrets.get_secret_string(secret_id, stage="AWSCURRENT") or '{"keys": []}')
    secrets.put_current(PUBLIC_KEYS_SECRET_ARN, public_keys_secret(ring))
    logger.info("public keys published", extra={"kids": [key.kid for key in ring.keys]})


def retire_key(secret_id: str, kid: str) -> dict[str, Any]:
    stages = secrets.version_stages(secret_id)
    if any("AWSPENDING" in labels for labels in stages.values()):
        raise ValueError("retireKey: a rotation is in progress (AWSPENDING); retry once it has finished")
    entries = secret_entries(secrets.get_secret_string(secret_id, stage="AWSCURRENT"))
    if any(entry.get("kid") == kid for entry in entries):
        secrets.put_current(secret_id, without_key(entries, kid))
        logger.warning("signing key retired", extra={"kid": kid})
    else:
        logger.info("retireKey: no such key in the private secret", extra={"kid": kid})
    publish_public_keys(secret_id)  # also removes a kid that only the public secret still listed
    remaining = parse_secret(secrets.get_secret_string(secret_id, stage="AWSCURRENT") or '{"keys": []}')
    return {"retired": kid, "keys": [key.kid for key in remaining.keys]}


STEPS = {
    "createSecret": create_secret,
    "setSecret": lambda secret_id, token: None,
    "testSecret": test_secret,
    "finishSecret": finish_secret,
}


@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any] | None:
    if event.get("Action") == "retireKey":
        kid = event.get("Kid")
        if not isinstance(kid, str) or not kid or not SIGNING_KEYS_SECRET_ARN:
            raise ValueError('retireKey needs {"Action": "retireKey", "Kid": "<kid>"}')
        logger.append_keys(action="retireKey")
        return retire_key(SIGNING_KEYS_SECRET_ARN, kid)
    step, secret_id, token = event.get("Step"), event.get("SecretId"), event.get("ClientRequestToken")
    if step not in STEPS or not isinstance(secret_id, str) or not isinstance(token, str):
        raise ValueError(f"unsupported rotation event (Step={step!r})")
    logger.append_keys(step=step)
    STEPS[step](secret_id, token)
    return None
