"""POST /auth/register: success, duplicates (also under a 50-way race), and input validation."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.integration.api import (
    Api,
    assert_error,
    assert_safe_user,
    strong_password,
    unique_email,
)


def test_register_returns_201_with_the_safe_user(api: Api):
    email = unique_email("reg")
    response = api.register(email, strong_password(), "Ada Lovelace")
    assert response.status_code == 201, response.text
    user = response.json()["user"]
    assert_safe_user(user, email=email)
    assert user["displayName"] == "Ada Lovelace"
    assert user["authProviders"] == ["password"]
    assert user["lastLoginAt"] is None


def test_register_normalises_the_email(api: Api):
    email = unique_email("norm")
    response = api.register(f"  {email.upper()}  ", strong_password())
    assert response.status_code == 201, response.text
    assert response.json()["user"]["email"] == email


def test_display_name_is_optional(api: Api):
    response = api.register(unique_email("noname"), strong_password())
    assert response.status_code == 201, response.text


def test_duplicate_email_is_409_even_with_other_case(api: Api):
    email = unique_email("dup")
    assert api.register(email, strong_password()).status_code == 201
    assert_error(api.register(email, strong_password()), 409, "email_taken")
    assert_error(api.register(email.upper(), strong_password()), 409, "email_taken")


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short1!", "shorter than 8"), ("password123", "a common password"), ("12345678", "a common password")],
)
def test_weak_passwords_are_refused(api: Api, password: str, reason: str):
    response = api.register(unique_email("weak"), password)
    assert_error(response, 400, "weak_password", field="password")


def test_password_beyond_bcrypt_72_bytes_is_refused_or_fully_significant(api: Api):
    """bcrypt ignores bytes after the 72nd: either a clear 400, or (pre-hash) all bytes count."""
    email = unique_email("long")
    password = strong_password() + "x" * 80  # > 72 bytes
    response = api.register(email, password)
    if response.status_code == 400:
        assert_error(response, 400, response.json()["error"]["code"], field="password")
        return
    assert response.status_code == 201, response.text
    assert api.login_response(email, password).status_code == 200
    truncated = password.encode()[:72].decode()
    assert_error(api.login_response(email, truncated + "y" * 10), 401, "invalid_credentials")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "Correct-Horse-42"}, "email"),
        ({"email": "a@example.com"}, "password"),
        ({"email": "not-an-email", "password": "Correct-Horse-42"}, "email"),
        ({"email": 12345, "password": "Correct-Horse-42"}, "email"),
        ({"email": "a@example.com", "password": 12345678}, "password"),
        ({"email": "a" * 250 + "@example.com", "password": "Correct-Horse-42"}, "email"),
        ({"email": "a@example.com", "password": "P" * 5000}, "password"),
        (
            {"email": "a@example.com", "password": "Correct-Horse-42", "displayName": "D" * 1000},
            "displayName",
        ),
        ({"email": "a@example.com", "password": "Correct-Horse-42", "displayName": 7}, "displayName"),
        ({"email": "a@example.com", "password": "Correct-Horse-42", "isAdmin": True}, "isAdmin"),
    ],
)
def test_invalid_bodies_are_400_naming_the_field(api: Api, body: dict, field: str):
    response = api.post("/auth/register", body)
    assert response.status_code == 400, response.text
    code = response.json()["error"]["code"]
    assert code in ("validation_error", "weak_password"), response.text
    assert_error(response, 400, code, field=field)


def test_malformed_json_is_400_invalid_json(api: Api):
    response = api.post(
        "/auth/register",
        data='{"email": "a@example.com", "password": ',
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize("path", ["/auth/register", "/auth/login", "/auth/refresh", "/auth/google"])
def test_deeply_nested_json_is_400_invalid_json(api: Api, path: str):
    # 8,000 levels fit the body limit and exhaust the JSON decoder's recursion (it was a 500).
    nested = "[" * 8000 + "]" * 8000
    response = api.post(path, data=nested, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid_json")


def test_a_json_array_is_not_a_valid_body(api: Api):
    response = api.post("/auth/register", [{"email": "a@example.com"}])
    assert response.status_code == 400, response.text
    assert_error(response, 400, response.json()["error"]["code"])
    assert response.json()["error"]["code"] in ("invalid_json", "validation_error")


def test_wrong_content_type_is_415(api: Api):
    response = api.post(
        "/auth/register",
        data='{"email": "a@example.com", "password": "Correct-Horse-42"}',
        headers={"Content-Type": "text/plain"},
    )
    assert_error(response, 415, "unsupported_media_type")


def test_empty_body_is_a_4xx_in_the_one_error_shape(api: Api):
    response = api.post("/auth/register", data=b"", headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert_error(response, 400, response.json()["error"]["code"])


RACE_SIZE = 50
# The embedded runtime runs at most --max-workers (10) environments per function, as a reserved
# concurrency would; an invocation that finds none free within its wait is throttled and API
# Gateway answers 500 {"message": "Internal server error"} without running the function. Such an
# attempt never reached the handler, so retrying it (as a client retries a throttle) leaves the
# race intact: up to 10 handlers run at once, and every client ends with one real answer.
MAX_THROTTLE_RETRIES = 40


def _is_gateway_throttle(response: requests.Response) -> bool:
    if response.status_code != 500:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "error" not in body and body.get("message") == "Internal server error"


WARM_UP_CONCURRENCY = 10  # serve's default --max-workers


def _warm_up_register_function(make_api) -> None:
    """Start the function's environments before the race, with requests that create nothing.

    Cold starts cost seconds on a busy 2-core machine, and ten of them at once can exceed the
    function's Timeout (Lambda counts init against it); the race is about the handlers, not
    about init, so it runs on warm environments. Each warm-up request ends in a 400 (its body
    is refused) once an environment has served it.
    """
    clients = [make_api() for _ in range(WARM_UP_CONCURRENCY)]
    start = threading.Barrier(WARM_UP_CONCURRENCY)

    def warm(client) -> int:
        start.wait(timeout=60)
        for _ in range(MAX_THROTTLE_RETRIES):
            status = client.post("/auth/register", {}).status_code
            if status == 400:
                break
        return status

    with ThreadPoolExecutor(max_workers=WARM_UP_CONCURRENCY) as pool:
        statuses = list(pool.map(warm, clients))
    assert statuses == [400] * WARM_UP_CONCURRENCY, f"the register function does not answer: {statuses}"


def test_fifty_parallel_registrations_of_one_email_make_exactly_one_account(make_api):
    _warm_up_register_function(make_api)
    email = unique_email("race")
    passwords = [strong_password() for _ in range(RACE_SIZE)]
    clients = [make_api() for _ in range(RACE_SIZE)]  # separate sessions (and source addresses)
    start = threading.Barrier(RACE_SIZE)

    throttled = [0] * RACE_SIZE

    def register(index: int) -> requests.Response:
        start.wait(timeout=60)
        response = clients[index].register(email, passwords[index])
        while _is_gateway_throttle(response) and throttled[index] < MAX_THROTTLE_RETRIES:
            throttled[index] += 1
            response = clients[index].register(email, passwords[index])
        return response

    with ThreadPoolExecutor(max_workers=RACE_SIZE) as pool:
        responses = list(pool.map(register, range(RACE_SIZE)))
    statuses = [response.status_code for response in responses]
    unexpected = {r.status_code: r.text for r in responses if r.status_code not in (201, 409)}
    assert not unexpected, f"statuses {statuses}; e.g. {unexpected}; throttled attempts {sum(throttled)}"
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, "email_taken")

    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == RACE_SIZE - 1, statuses
    winner = statuses.index(201)
    checker = make_api()
    assert checker.login_response(email, passwords[winner]).status_code == 200
    loser = (winner + 1) % RACE_SIZE
    assert_error(checker.login_response(email, passwords[loser]), 401, "invalid_credentials")
