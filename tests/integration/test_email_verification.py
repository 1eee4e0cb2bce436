"""Sign-up signs in and mails a 6-digit code; POST /auth/email/verify spends it (issue 11).

The emails are read from the emulator's catcher (``GET /_emulator/emails``), so these tests run
against local targets only (``local_email``); the refusals that need no email run everywhere.
"""

from __future__ import annotations

import jwt
import pytest

from tests.integration.api import Api, assert_error, assert_token_response, strong_password, unique_email
from tests.integration.mailbox import Mailbox


def test_sign_up_returns_a_session_with_the_email_not_yet_verified(api: Api):
    email, password = unique_email("signup"), strong_password()
    response = api.register(email, password)
    assert response.status_code == 201, response.text
    body = response.json()
    assert_token_response(body, email=email)
    assert body["user"]["emailVerified"] is False
    assert jwt.decode(body["accessToken"], options={"verify_signature": False})["email_verified"] is False
    assert api.validate(body["accessToken"]).status_code == 200  # usable at once: no second call to log in


@pytest.mark.local_email
def test_the_verification_email_names_the_app_carries_the_code_and_never_the_password(
    api: Api, mailbox: Mailbox
):
    account = api.new_account("mail")
    email = mailbox.latest(account.email)
    assert email["to"] == [account.email]
    assert email["text"]
    assert email["html"]
    assert email["id"]
    assert email["timestamp"].endswith("Z")
    code = mailbox.code(account.email)
    assert code in email["subject"]
    assert "iOS Auth Demo" in email["text"]  # the template's AppName
    for part in (email["subject"], email["text"], email["html"]):
        assert account.password not in part


@pytest.mark.local_email
def test_the_code_verifies_the_email_once(api: Api, mailbox: Mailbox):
    account = api.new_account("verify")
    access = account.signup["accessToken"]
    code = mailbox.code(account.email)
    response = api.verify_email(access, code)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["emailVerified"] is True
    assert api.get("/users/me", token=access).json()["user"]["emailVerified"] is True
    fresh = api.login(account)
    assert jwt.decode(fresh.access, options={"verify_signature": False})["email_verified"] is True
    assert_error(api.verify_email(access, code), 400, "invalid_code")  # used
    assert_error(api.post("/auth/email/verify/resend", token=access), 409, "email_already_verified")


@pytest.mark.local_email
def test_five_wrong_codes_void_the_code(api: Api, mailbox: Mailbox):
    account = api.new_account("wrongcode")
    access = account.signup["accessToken"]
    code = mailbox.code(account.email)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert_error(api.verify_email(access, wrong), 400, "invalid_code")
    assert_error(api.verify_email(access, code), 400, "invalid_code")  # the right one, too late
    assert api.get("/users/me", token=access).json()["user"]["emailVerified"] is False


def test_resend_is_limited_to_one_a_minute(api: Api):
    account = api.new_account("resend")
    limited = api.post("/auth/email/verify/resend", token=account.signup["accessToken"])
    # The sign-up's own email was sent a moment ago.
    assert_error(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", 123456, None, ""])
def test_a_malformed_code_is_a_validation_error(api: Api, code):
    access = api.new_account("badcode").signup["accessToken"]
    assert_error(
        api.post("/auth/email/verify", {"code": code}, token=access), 400, "validation_error", field="code"
    )


def test_verify_and_resend_need_a_session(api: Api):
    for path, body in (("/auth/email/verify", {"code": "123456"}), ("/auth/email/verify/resend", None)):
        response = api.post(path, body)
        assert response.status_code == 401, response.text
