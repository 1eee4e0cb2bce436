"""The environment that points a function's boto3 at the right endpoints, with no code change.

boto3 (botocore >= 1.31) reads ``AWS_ENDPOINT_URL`` for every service and
``AWS_ENDPOINT_URL_<SERVICE>`` (e.g. ``AWS_ENDPOINT_URL_DYNAMODB``) for one, so handler code keeps
calling ``boto3.client("dynamodb")`` exactly as in Lambda.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# Dummy credentials for the embedded endpoint: boto3 refuses to sign without some, moto accepts
# any (and so does DynamoDB Local).
DUMMY_ACCESS_KEY_ID = "AKIAEMULATOR0LOCAL00"
DUMMY_SECRET_ACCESS_KEY = "emulator-local-secret-key"  # noqa: S105 - not a secret
# The user's own credentials, passed on when an endpoint may be real AWS: the Lambda runtime
# does not leak the shim's environment into functions, so they must be given explicitly.
_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
)


def worker_environment(
    *,
    endpoint_url: str | None,
    dynamodb_endpoint_url: str | None,
    region: str,
    host_environment: Mapping[str, str] | None = None,
) -> dict[str, str]:
    host = os.environ if host_environment is None else host_environment
    env = {"AWS_REGION": region, "AWS_DEFAULT_REGION": region}
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    if dynamodb_endpoint_url or endpoint_url:
        env["AWS_ENDPOINT_URL_DYNAMODB"] = str(dynamodb_endpoint_url or endpoint_url)
    users_own = {k: host[k] for k in _CREDENTIAL_VARIABLES if host.get(k)}
    if users_own.get("AWS_ACCESS_KEY_ID") or users_own.get("AWS_PROFILE"):
        env.update(users_own)  # valid for real AWS, and the embedded endpoint takes any key
    elif endpoint_url or dynamodb_endpoint_url:
        env["AWS_ACCESS_KEY_ID"] = DUMMY_ACCESS_KEY_ID
        env["AWS_SECRET_ACCESS_KEY"] = DUMMY_SECRET_ACCESS_KEY
    return env
