from __future__ import annotations

import pytest
from auth_service.policy import allow_policy, api_wide_resource, bearer_token

METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/auth/validate"


def test_allow_policy_covers_the_whole_stage_and_carries_string_context():
    policy = allow_policy(
        principal_id="user-1",
        method_arn=METHOD_ARN,
        context={"userId": "user-1", "sessionId": "s" * 32, "sessionExpiresAt": 1_800_000_000},
    )
    assert policy == {
        "principalId": "user-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/*",
                }
            ],
        },
        "context": {"userId": "user-1", "sessionId": "s" * 32, "sessionExpiresAt": 1_800_000_000},
    }
    assert all(isinstance(value, str | int | bool) for value in policy["context"].values())


def test_api_wide_resource_keeps_partition_and_stage():
    arn = "arn:aws-cn:execute-api:cn-north-1:123456789012:api9/dev/POST/users/me/password"
    assert api_wide_resource(arn) == "arn:aws-cn:execute-api:cn-north-1:123456789012:api9/dev/*/*"
    for bad in ("", "arn:aws:lambda:us-east-1:1:function:f", "arn:aws:execute-api:us-east-1:1:api"):
        with pytest.raises(ValueError, match="ARN"):
            api_wide_resource(bad)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer abc.def.ghi", "abc.def.ghi"),
        ("  Bearer   abc.def.ghi ", "abc.def.ghi"),
        ("Basic dXNlcjpwYXNz", None),
        ("Bearer", None),
        ("Bearer a b", None),
        ("abc.def.ghi", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token_parsing(header, token):
    assert bearer_token(header) == token
