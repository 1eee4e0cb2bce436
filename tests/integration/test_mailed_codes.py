"""Flows that read the codes the stack mailed, from the emulator's catcher (``GET /_emulator/emails``):
email verification, password reset, and linking a provider to a verified account (issue 11).

Local targets only (``local_email``): a deployed stage has no catcher.
"""

from __future__ import annotations

import jwt
import pytest

from tests.integration.api import Api, assert_error, strong_password, unique_email
from tests.integration.mailbox import Mailbox
from tests.integration.test_google import mint

pytestmark = pytest.mark.local_email


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


def test_five_wrong_codes_void_the_code(api: Api, mailbox: Mailbox):
    account = api.new_account("wrongcode")
    access = account.signup["accessToken"]
    code = mailbox.code(account.email)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert_error(api.verify_email(access, wrong), 400, "invalid_code")
    assert_error(api.verify_email(access, code), 400, "invalid_code")  # the right one, too late
    assert api.get("/users/me", token=access).json()["user"]["emailVerified"] is False


def test_only_a_known_email_gets_a_code(api: Api, mailbox: Mailbox):
    nobody = unique_email("nomail")
    assert api.forgot_password(nobody).status_code == 202
    assert mailbox.messages(nobody) == []


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


def test_a_weak_new_password_is_refused_without_spending_the_code(api: Api, mailbox: Mailbox):
    account = api.new_account("resetweak")
    api.forgot_password(account.email)
    code = mailbox.code(account.email)
    weak = api.reset_password(account.email, code, "password1")
    assert_error(weak, 400, "weak_password", field="newPassword")
    assert api.reset_password(account.email, code, strong_password()).status_code == 204


def test_a_wrong_code_and_another_emails_code_are_one_invalid_code(api: Api, mailbox: Mailbox, make_api):
    first, second = api.new_account("resetwrong"), api.new_account("resetother")
    make_api().forgot_password(first.email)
    make_api().forgot_password(second.email)
    code = mailbox.code(first.email)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert_error(api.reset_password(first.email, wrong, strong_password()), 400, "invalid_code")
    assert_error(api.reset_password(second.email, code, strong_password()), 400, "invalid_code")
    assert_error(api.reset_password(unique_email("nobody"), code, strong_password()), 400, "invalid_code")


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


@pytest.mark.local_idp
def test_google_links_to_a_verified_account_which_keeps_its_password(api: Api, idp_url: str, mailbox):
    account = api.new_account("link")
    assert api.verify_email(account.signup["accessToken"], mailbox.code(account.email)).status_code == 200
    response = api.google_response(mint(idp_url, account.email.upper()))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["isNewUser"] is False
    assert body["user"]["userId"] == account.user["userId"]
    assert set(body["user"]["authProviders"]) == {"password", "google"}
    # The password still works, for the same user.
    assert api.login(account).user["userId"] == account.user["userId"]
