"""POST /auth/login: tokens, refusals that do not tell which part was wrong, lockout, per-IP limits."""

from __future__ import annotations

import pytest
import requests

from tests.integration.api import (
    Api,
    assert_error,
    assert_token_response,
    first_limited,
    strong_password,
    unique_email,
)


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


@pytest.mark.distinct_ips
def test_per_ip_login_limit(make_api, target):
    limit = target.login_ip_limit
    client = make_api()
    index, limited = first_limited(
        lambda: client.login_response(unique_email("ipl"), "Not-The-Password-1"), limit
    )
    assert index >= limit, f"limited after {index} attempts, the limit is {limit}"
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
    created: list[int] = []

    def register() -> requests.Response:
        response = client.register(unique_email("ipr"), strong_password())
        created.append(response.status_code)
        return response

    index, limited = first_limited(register, limit)
    assert index >= limit, f"limited after {index} registrations, the limit is {limit}"
    assert set(created[:-1]) == {201}, created
    assert_error(limited, 429, "rate_limited")
    assert limited.headers.get("Retry-After", "").isdigit(), limited.headers
    assert make_api().register(unique_email("ipr"), strong_password()).status_code == 201


@pytest.mark.distinct_ips
def test_per_ip_limit_is_not_bypassed_with_a_spoofed_forwarded_for(make_api, target):
    """The limit keys on API Gateway's sourceIp (the TCP peer), not on client-sent headers."""
    limit = target.register_ip_limit
    client = make_api()
    counter = iter(range(10**6))

    def register() -> requests.Response:
        spoofed = f"203.0.113.{next(counter) % 250 + 1}"
        password = strong_password()
        client.ledger.add(password)
        return client.post(
            "/auth/register",
            {"email": unique_email("xff"), "password": password},
            headers={"X-Forwarded-For": spoofed, "X-Real-IP": spoofed},
        )

    index, limited = first_limited(register, limit)
    assert index >= limit
    assert_error(limited, 429, "rate_limited")
