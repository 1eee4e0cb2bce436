"""Sign-up signs in and mails a 6-digit code; POST /auth/email/verify spends it (issue 11).

The emails are read from the emulator's catcher (``GET /_emulator/emails``), so these tests run
against local targets only (``local_email``); the refusals that need no email run everywhere.
"""

from __future__ import annotations

import jwt
import pytest

from tests.integration.api import Api, assert_error, assert_token_response, strong_password, unique_email


def test_sign_up_returns_a_session_with_the_email_not_yet_verified(api: Api):
    email, password = unique_email("signup"), strong_password()
    response = api.register(email, password)
    assert response.status_code == 201, response.text
    body = response.json()
    assert_token_response(body, email=email)
    assert body["user"]["emailVerified"] is False
    assert jwt.decode(body["accessToken"], options={"verify_signature": False})["email_verified"] is False
    assert api.validate(body["accessToken"]).status_code == 200  # usable at once: no second call to log in


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
