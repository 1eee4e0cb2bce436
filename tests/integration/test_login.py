"""POST /auth/login: tokens, refusals that do not tell which part was wrong, lockout, per-IP limits."""

from __future__ import annotations

import pytest

from tests.integration.api import Api, assert_error, assert_token_response, strong_password, unique_email


def test_login_returns_the_token_response(api: Api):
    account = api.new_account("login")
    response = api.login_response(account.email, account.password)
    assert response.status_code == 200, response.text
    body = response.json()
    assert_token_response(body, email=account.email)
    assert body["user"]["userId"] == account.user["userId"]
    assert body["user"]["lastLoginAt"] is not None
    assert body["accessToken"] != body["refreshToken"]


def test_login_email_is_case_insensitive(api: Api):
    account = api.new_account("case")
    assert api.login_response(account.email.upper(), account.password).status_code == 200


def test_each_login_is_a_new_session(api: Api):
    account = api.new_account("sessions")
    first, second = api.login(account), api.login(account)
    assert first.session_id != second.session_id
    assert first.refresh != second.refresh


def test_wrong_password_and_unknown_email_get_the_same_answer(api: Api):
    account = api.new_account("wrong")
    wrong_password = api.login_response(account.email, strong_password())
    unknown_email = api.login_response(unique_email("nobody"), strong_password())
    first = assert_error(wrong_password, 401, "invalid_credentials")
    second = assert_error(unknown_email, 401, "invalid_credentials")
    assert first == second, "the answers must not tell whether the email exists"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "Correct-Horse-42"}, "email"),
        ({"email": "a@example.com"}, "password"),
        ({"email": ["a@example.com"], "password": "x"}, "email"),
        ({"email": "a@example.com", "password": "Correct-Horse-42", "remember": True}, "remember"),
    ],
)
def test_invalid_login_bodies_are_400_naming_the_field(api: Api, body: dict, field: str):
    assert_error(api.post("/auth/login", body), 400, "validation_error", field=field)


def test_login_malformed_json_and_wrong_content_type(api: Api):
    assert_error(
        api.post("/auth/login", data="{", headers={"Content-Type": "application/json"}), 400, "invalid_json"
    )
    assert_error(
        api.post(
            "/auth/login",
            data="email=a@example.com&password=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        415,
        "unsupported_media_type",
    )


def test_five_failures_lock_the_account_even_for_the_right_password(api: Api, make_api):
    account = api.new_account("lock")
    for attempt in range(5):
        response = api.login_response(account.email, f"Wrong-{attempt}-{strong_password()}")
        assert_error(response, 401, "invalid_credentials")
    locked = api.login_response(account.email, account.password)
    assert_error(locked, 429, "account_locked")
    retry_after = locked.headers.get("Retry-After")
    assert retry_after is not None, locked.headers
    assert retry_after.isdigit()
    assert int(retry_after) >= 1
    # The lock is the account's: another client (another source address) is refused too...
    assert_error(make_api().login_response(account.email, account.password), 429, "account_locked")
    # ...and other accounts are not locked.
    other = api.new_account("notlocked")
    assert api.login_response(other.email, other.password).status_code == 200


@pytest.mark.distinct_ips
def test_per_ip_login_limit(make_api, target):
    limit = target.login_ip_limit
    client = make_api()
    statuses = [
        client.login_response(unique_email("ipl"), "Not-The-Password-1").status_code for _ in range(limit)
    ]
    assert 429 not in statuses, f"limited before {limit} attempts: {statuses}"
    limited = client.login_response(unique_email("ipl"), "Not-The-Password-1")
    assert_error(limited, 429, "rate_limited")
    assert limited.headers.get("Retry-After", "").isdigit(), limited.headers
    # Another source address is not limited.
    other = make_api()
    account = other.new_account("iplother")
    assert other.login_response(account.email, account.password).status_code == 200


@pytest.mark.distinct_ips
def test_per_ip_register_limit(make_api, target):
    limit = target.register_ip_limit
    client = make_api()
    statuses = [client.register(unique_email("ipr"), strong_password()).status_code for _ in range(limit)]
    assert statuses == [201] * limit, statuses
    limited = client.register(unique_email("ipr"), strong_password())
    assert_error(limited, 429, "rate_limited")
    assert limited.headers.get("Retry-After", "").isdigit(), limited.headers
    assert make_api().register(unique_email("ipr"), strong_password()).status_code == 201
