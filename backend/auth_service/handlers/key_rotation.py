"""Secrets Manager rotation function for the signing-keys secret.

Secrets Manager (and the local emulator, once at first start) calls it four times with
``{"Step", "SecretId", "ClientRequestToken"}``:

- createSecret: put a new version (id = the token) staged AWSPENDING holding a fresh ES256
  key followed by the newest current keys (the last ``KEEP_KEYS`` in all). Idempotent: if the
  pending version already exists, nothing is done. It does not require Secrets Manager to
  have pre-created the version (the first rotation of a brand-new secret).
- setSecret: nothing — no external system holds these keys.
- testSecret: the pending keys parse, and the newest signs a token that its public key verifies.
- finishSecret: move AWSCURRENT to the pending version (no-op if already there), then drop
  its AWSPENDING label.
The newest key then signs; all listed keys keep verifying until rotated out.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.log import logger
from auth_service.repositories import secrets
from auth_service.signing_keys import ALGORITHM, parse_secret, rotated_secret, secret_entries


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
        return
    secrets.promote_to_current(secret_id, token, current)
    if "AWSPENDING" in stages.get(token, []):
        secrets.clear_pending(secret_id, token)
    logger.info("finishSecret: new signing key is AWSCURRENT")


STEPS = {
    "createSecret": create_secret,
    "setSecret": lambda secret_id, token: None,
    "testSecret": test_secret,
    "finishSecret": finish_secret,
}


@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    step, secret_id, token = event.get("Step"), event.get("SecretId"), event.get("ClientRequestToken")
    if step not in STEPS or not isinstance(secret_id, str) or not isinstance(token, str):
        raise ValueError(f"unsupported rotation event (Step={step!r})")
    logger.append_keys(step=step)
    STEPS[step](secret_id, token)
