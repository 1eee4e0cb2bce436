"""Forgot / reset password by an emailed code (issue 11; the lock clearing of issue 12, item 2)."""

from __future__ import annotations

import pytest

from tests.integration.api import Api, assert_error, unique_email


def test_forgot_answers_alike_for_known_and_unknown_emails(api: Api, make_api):
    account = api.new_account("forgot")
    known = make_api().forgot_password(account.email)
    unknown = make_api().forgot_password(unique_email("nobody"))
    assert known.status_code == unknown.status_code == 202, (known.text, unknown.text)
    assert known.json() == unknown.json()
    assert set(known.headers) - {"Date", "x-amzn-RequestId", "x-amz-apigw-id", "X-Amzn-Trace-Id"} == set(
        unknown.headers
    ) - {"Date", "x-amzn-RequestId", "x-amz-apigw-id", "X-Amzn-Trace-Id"}


def test_forgot_is_limited_per_email_alike_known_or_not(api: Api, make_api):
    for email in (api.new_account("forgotlimit").email, unique_email("nobodylimit")):
        assert make_api().forgot_password(email).status_code == 202
        limited = make_api().forgot_password(email)  # another address: the email's own limit
        assert_error(limited, 429, "rate_limited")
        assert int(limited.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-email", "code": "123456", "newPassword": "x" * 12}, "email"),
        ({"email": "a@example.com", "code": "12", "newPassword": "x" * 12}, "code"),
        ({"email": "a@example.com", "code": "123456"}, "newPassword"),
        ({"email": "a@example.com", "code": "123456", "newPassword": "y" * 12, "extra": 1}, "extra"),
    ],
)
def test_reset_validates_its_body(api: Api, body: dict, field: str):
    assert_error(api.post("/auth/password/reset", body), 400, "validation_error", field=field)
