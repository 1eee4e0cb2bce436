"""The environment that points a function's boto3 at the right endpoints, with no code change.

boto3 (botocore >= 1.31) reads ``AWS_ENDPOINT_URL`` for every service and
``AWS_ENDPOINT_URL_<SERVICE>`` (e.g. ``AWS_ENDPOINT_URL_DYNAMODB``) for one, so handler code keeps
calling ``boto3.client("dynamodb")`` exactly as in Lambda.
"""

from __future__ import annotations

# Dummy credentials for the embedded endpoint: boto3 refuses to sign without some, moto accepts
# any. They are not given when talking to a real endpoint, where the user's own apply.
DUMMY_ACCESS_KEY_ID = "AKIAEMULATOR0LOCAL00"
DUMMY_SECRET_ACCESS_KEY = "emulator-local-secret-key"  # noqa: S105 - not a secret


def worker_environment(
    *, endpoint_url: str | None, dynamodb_endpoint_url: str | None, region: str
) -> dict[str, str]:
    env = {"AWS_REGION": region, "AWS_DEFAULT_REGION": region}
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
        env["AWS_ACCESS_KEY_ID"] = DUMMY_ACCESS_KEY_ID
        env["AWS_SECRET_ACCESS_KEY"] = DUMMY_SECRET_ACCESS_KEY
    if dynamodb_endpoint_url:
        env["AWS_ENDPOINT_URL_DYNAMODB"] = dynamodb_endpoint_url
    elif endpoint_url:
        env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint_url
    return env
