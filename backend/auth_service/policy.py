"""The IAM policy a TOKEN Lambda authorizer returns to API Gateway.

Allow is granted for the whole API stage (``arn:...:{apiId}/{stage}/*/*``) because results
are never cached (``ReauthorizeEvery: 0``): a cached, method-specific Allow would otherwise
refuse the same token on other routes. Context values must be strings, numbers or booleans
(API Gateway rejects nested objects); they reach the handler as
``requestContext.authorizer.<key>``.
"""

from __future__ import annotations

from typing import Any


def api_wide_resource(method_arn: str) -> str:
    """``arn:aws:execute-api:region:account:apiId/stage/VERB/path`` -> ``.../apiId/stage/*/*``."""
    prefix, _, rest = method_arn.partition(":execute-api:")
    if not _:
        raise ValueError("not an execute-api ARN")
    region_account_api, *_ = rest.split("/", 2)
    parts = rest.split("/")
    if len(parts) < 2:
        raise ValueError("execute-api ARN has no stage")
    return f"{prefix}:execute-api:{region_account_api}/{parts[1]}/*/*"


def allow_policy(
    *, principal_id: str, method_arn: str, context: dict[str, str | int | bool]
) -> dict[str, Any]:
    return {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api_wide_resource(method_arn)}
            ],
        },
        "context": context,
    }


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` value (scheme case-insensitive)."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token
