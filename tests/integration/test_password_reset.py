"""Forgot / reset password by an emailed code (issue 11; the lock clearing of issue 12, item 2)."""

from __future__ import annotations

import pytest

from tests.integration.api import Api, assert_error, strong_password, unique_email
from tests.integration.mailbox import Mailbox


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


@pytest.mark.local_email
def test_only_a_known_email_gets_a_code(api: Api, mailbox: Mailbox):
    nobody = unique_email("nomail")
    assert api.forgot_password(nobody).status_code == 202
    assert mailbox.messages(nobody) == []


@pytest.mark.local_email
def test_reset_sets_the_password_revokes_every_session_and_verifies_the_email(api: Api, mailbox: Mailbox):
    account = api.new_account("reset")
    sessions = [api.login(account), api.login(account)]
    assert api.forgot_password(account.email).status_code == 202
    email = mailbox.latest(account.email)
    assert "reset" in email["subject"].lower()
    assert account.password not in email["text"]
    code = mailbox.code(account.email)
    new_password = strong_password()

    assert api.reset_password(account.email, code, new_password).status_code == 204

    assert_error(api.login_response(account.email, account.password), 401, "invalid_credentials")
    fresh = api.login_response(account.email, new_password)
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["user"]["emailVerified"] is True  # the code proved the mailbox
    for session in sessions:
        assert api.validate(session.access).status_code == 401
        assert_error(api.refresh_response(session.refresh), 401, "invalid_refresh_token")
    assert_error(api.reset_password(account.email, code, strong_password()), 400, "invalid_code")  # used


@pytest.mark.local_email
def test_a_weak_new_password_is_refused_without_spending_the_code(api: Api, mailbox: Mailbox):
    account = api.new_account("resetweak")
    api.forgot_password(account.email)
    code = mailbox.code(account.email)
    weak = api.reset_password(account.email, code, "password1")
    assert_error(weak, 400, "weak_password", field="newPassword")
    assert api.reset_password(account.email, code, strong_password()).status_code == 204


@pytest.mark.local_email
def test_a_wrong_code_and_another_emails_code_are_one_invalid_code(api: Api, mailbox: Mailbox, make_api):
    first, second = api.new_account("resetwrong"), api.new_account("resetother")
    make_api().forgot_password(first.email)
    make_api().forgot_password(second.email)
    code = mailbox.code(first.email)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert_error(api.reset_password(first.email, wrong, strong_password()), 400, "invalid_code")
    assert_error(api.reset_password(second.email, code, strong_password()), 400, "invalid_code")
    assert_error(api.reset_password(unique_email("nobody"), code, strong_password()), 400, "invalid_code")


@pytest.mark.local_email
@pytest.mark.distinct_ips
def test_a_reset_clears_the_lock_of_the_address_it_came_from(api: Api, mailbox: Mailbox, make_api):
    account = api.new_account("resetlock")
    owner = make_api()
    for _ in range(6):
        owner.login_response(account.email, "Wrong-" + strong_password())
    owner.forgot_password(account.email)
    new_password = strong_password()
    assert owner.reset_password(account.email, mailbox.code(account.email), new_password).status_code == 204
    assert owner.login_response(account.email, new_password).status_code == 200


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
