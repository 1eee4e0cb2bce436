"""Validate, refresh rotation and reuse detection, logout (one session or all devices)."""

from __future__ import annotations

import pytest

from tests.integration.api import (
    Api,
    Tokens,
    assert_error,
    assert_safe_user,
    assert_token_response,
    assert_unauthorized,
    bearer,
)


def _protected_calls(api: Api, access: str) -> dict[str, object]:
    """Every protected route, called with ``access`` and harmless bodies."""
    return {
        "GET /auth/validate": api.get("/auth/validate", token=access),
        "GET /users/me": api.get("/users/me", token=access),
        "PATCH /users/me": api.patch("/users/me", {"displayName": "Nope"}, token=access),
        "POST /users/me/password": api.post(
            "/users/me/password",
            {"currentPassword": "x" * 10, "newPassword": "Another-Pass-123"},
            token=access,
        ),
        "DELETE /users/me": api.delete("/users/me", {"password": "x" * 10}, token=access),
        "POST /auth/logout": api.post("/auth/logout", token=access),
    }


def assert_refused_everywhere(api: Api, access: str) -> None:
    for route, response in _protected_calls(api, access).items():
        assert response.status_code == 401, f"{route}: {response.status_code} {response.text}"
        assert_unauthorized(response)


def test_validate_returns_user_and_session(api: Api):
    account = api.new_account("validate")
    tokens = api.login(account)
    response = api.validate(tokens.access)
    assert response.status_code == 200, response.text
    body = response.json()
    assert_safe_user(body["user"], email=account.email)
    assert body["session"]["sessionId"] == tokens.session_id
    assert body["session"]["expiresAt"]


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "bearer x.y.z"],
)
def test_validate_without_a_usable_token_is_401(api: Api, authorization: str | None):
    headers = {} if authorization is None else {"Authorization": authorization}
    assert_unauthorized(api.request("GET", "/auth/validate", headers=headers))


def test_refresh_rotates_both_tokens(api: Api):
    tokens = api.login(api.new_account("rotate"))
    response = api.refresh_response(tokens.refresh)
    assert response.status_code == 200, response.text
    assert_token_response(response.json())
    rotated = Tokens(response.json())
    assert rotated.refresh != tokens.refresh
    assert rotated.access != tokens.access
    assert rotated.session_id == tokens.session_id
    assert api.validate(rotated.access).status_code == 200
    # The rotated token works once more (a chain of rotations).
    assert api.refresh_response(rotated.refresh).status_code == 200


def test_reuse_of_a_rotated_refresh_token_revokes_the_whole_session(api: Api):
    account = api.new_account("reuse")
    tokens = api.login(account)
    other_session = api.login(account)
    rotated = api.refresh(tokens.refresh)
    # Used before the reuse, so a caching authorizer would have it on file.
    assert api.validate(rotated.access).status_code == 200
    assert api.get("/users/me", token=rotated.access).status_code == 200

    assert_error(api.refresh_response(tokens.refresh), 401, "refresh_token_reused")
    # The session is gone: its newest refresh token and every access token it issued.
    response = api.refresh_response(rotated.refresh)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] in ("invalid_refresh_token", "refresh_token_reused")
    assert_refused_everywhere(api, rotated.access)
    assert_unauthorized(api.validate(tokens.access))
    # Only that session: another device of the same user is unaffected.
    assert api.validate(other_session.access).status_code == 200


@pytest.mark.parametrize("refresh_token", ["", "x", "A" * 43, "not-a-token-" * 4])
def test_unknown_refresh_tokens_are_401(api: Api, refresh_token: str):
    response = api.refresh_response(refresh_token)
    if response.status_code == 400:  # an empty / malformed value may be refused as input
        assert_error(response, 400, "validation_error", field="refreshToken")
    else:
        assert_error(response, 401, "invalid_refresh_token")


def test_refresh_body_validation(api: Api):
    assert_error(api.post("/auth/refresh", {}), 400, "validation_error", field="refreshToken")
    assert_error(
        api.post("/auth/refresh", {"refreshToken": 5}), 400, "validation_error", field="refreshToken"
    )
    assert_error(
        api.post("/auth/refresh", {"refreshToken": "x", "extra": 1}), 400, "validation_error", field="extra"
    )


def test_access_token_is_not_a_refresh_token(api: Api):
    tokens = api.login(api.new_account("confuse"))
    assert_error(api.refresh_response(tokens.access), 401, "invalid_refresh_token")
    assert_unauthorized(api.validate(tokens.refresh))


def test_logout_revokes_the_session_at_once_on_every_protected_route(api: Api):
    account = api.new_account("logout")
    tokens = api.login(account)
    other = api.login(account)
    assert api.validate(tokens.access).status_code == 200  # would fill an authorizer cache, if any
    response = api.post("/auth/logout", token=tokens.access)
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_refused_everywhere(api, tokens.access)
    assert_error(api.refresh_response(tokens.refresh), 401, "invalid_refresh_token")
    # The user's other session is still signed in.
    assert api.validate(other.access).status_code == 200
    assert api.refresh_response(other.refresh).status_code == 200


def test_logout_with_an_explicit_single_device_body(api: Api):
    tokens = api.login(api.new_account("logout1"))
    assert api.post("/auth/logout", {"allDevices": False}, token=tokens.access).status_code == 204
    assert_unauthorized(api.validate(tokens.access))


def test_logout_all_devices_revokes_every_session(api: Api):
    account = api.new_account("logoutall")
    sessions = [api.login(account) for _ in range(3)]
    response = api.post("/auth/logout", {"allDevices": True}, token=sessions[0].access)
    assert response.status_code == 204, response.text
    for tokens in sessions:
        assert_unauthorized(api.validate(tokens.access))
        assert_unauthorized(api.get("/users/me", token=tokens.access))
        assert_error(api.refresh_response(tokens.refresh), 401, "invalid_refresh_token")
    # Signing in again still works.
    assert api.validate(api.login(account).access).status_code == 200


def test_logout_requires_a_token_and_validates_its_body(api: Api):
    assert_unauthorized(api.post("/auth/logout"))
    tokens = api.login(api.new_account("logoutbody"))
    assert_error(
        api.post("/auth/logout", {"allDevices": "yes"}, token=tokens.access),
        400,
        "validation_error",
        field="allDevices",
    )
    assert api.validate(tokens.access).status_code == 200  # a refused logout logged nothing out
    wrong_type = api.request(
        "POST",
        "/auth/logout",
        data="{",
        headers={**bearer(tokens.access), "Content-Type": "application/json"},
    )
    assert_error(wrong_type, 400, "invalid_json")
