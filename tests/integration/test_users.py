"""/users/me: read, update (validated), change password, delete the account."""

from __future__ import annotations

import pytest

from tests.integration.api import (
    Api,
    assert_error,
    assert_safe_user,
    assert_unauthorized,
    strong_password,
)


def test_get_me(api: Api):
    account = api.new_account("me")
    tokens = api.login(account)
    response = api.get("/users/me", token=tokens.access)
    assert response.status_code == 200, response.text
    user = response.json()["user"]
    assert_safe_user(user, email=account.email)
    assert user["userId"] == account.user["userId"]
    assert user["displayName"] == "Test User"


def test_me_requires_a_token(api: Api):
    assert_unauthorized(api.get("/users/me"))
    assert_unauthorized(api.patch("/users/me", {"displayName": "x"}))


def test_patch_me_updates_display_name_and_profile(api: Api):
    tokens = api.login(api.new_account("patch"))
    profile = {"firstName": "Grace", "lastName": "Hopper", "photoURL": "https://example.com/g.png"}
    response = api.patch("/users/me", {"displayName": "Grace H.", "profile": profile}, token=tokens.access)
    assert response.status_code == 200, response.text
    user = response.json()["user"]
    assert_safe_user(user)
    assert user["displayName"] == "Grace H."
    for key, value in profile.items():
        assert user["profile"][key] == value
    again = api.get("/users/me", token=tokens.access).json()["user"]
    assert again["displayName"] == "Grace H."
    assert again["profile"]["lastName"] == "Hopper"
    assert again["updatedAt"] >= again["createdAt"]
    # A partial profile update keeps the other fields.
    partial = api.patch("/users/me", {"profile": {"phoneNumber": "+14155550100"}}, token=tokens.access)
    assert partial.status_code == 200, partial.text
    assert partial.json()["user"]["profile"]["firstName"] == "Grace"
    assert partial.json()["user"]["profile"]["phoneNumber"] == "+14155550100"


def test_empty_profile_fields_are_null(api: Api):
    account = api.new_account("nullprofile")
    assert account.user["profile"] == {
        "firstName": None,
        "lastName": None,
        "photoURL": None,
        "phoneNumber": None,
    }
    tokens = api.login(account)
    set_then_clear = {"photoURL": "https://example.com/p.png", "firstName": "Ada"}
    assert api.patch("/users/me", {"profile": set_then_clear}, token=tokens.access).status_code == 200
    cleared = api.patch("/users/me", {"profile": {"photoURL": "", "firstName": None}}, token=tokens.access)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["user"]["profile"]["photoURL"] is None
    assert cleared.json()["user"]["profile"]["firstName"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "new@example.com"}, "email"),
        ({"userId": "someone-else"}, "userId"),
        ({"passwordHash": "x"}, "passwordHash"),
        ({"displayName": "D" * 1000}, "displayName"),
        ({"displayName": 12}, "displayName"),
        ({"profile": "not-an-object"}, "profile"),
        ({"profile": {"firstName": "F" * 1000}}, "profile.firstName"),
        ({"profile": {"isAdmin": True}}, "profile.isAdmin"),
        ({"profile": {"photoURL": "javascript:alert(1)"}}, "profile.photoURL"),
    ],
)
def test_patch_me_refuses_unknown_and_invalid_fields(api: Api, body: dict, field: str):
    tokens = api.login(api.new_account("patchbad"))
    error = assert_error(api.patch("/users/me", body, token=tokens.access), 400, "validation_error")
    named = error.get("details", {}).get("field", "")
    # "profile.isAdmin" may be named as such or as its leaf ("isAdmin").
    assert named in (field, field.rsplit(".", 1)[-1]), error
    user = api.get("/users/me", token=tokens.access).json()["user"]
    assert user["displayName"] == "Test User", "a refused update changed the user"


def test_patch_me_malformed_json_and_wrong_content_type(api: Api):
    tokens = api.login(api.new_account("patchjson"))
    headers = {"Authorization": f"Bearer {tokens.access}"}
    bad_json = api.request(
        "PATCH", "/users/me", data="{x", headers={**headers, "Content-Type": "application/json"}
    )
    assert_error(bad_json, 400, "invalid_json")
    form = api.request(
        "PATCH", "/users/me", data="displayName=x", headers={**headers, "Content-Type": "text/plain"}
    )
    assert_error(form, 415, "unsupported_media_type")


def test_password_change_keeps_this_session_and_revokes_the_others(api: Api):
    account = api.new_account("pwchange")
    current = api.login(account)
    other = api.login(account)
    # Used before the change, so a caching authorizer would have it on file.
    assert api.validate(other.access).status_code == 200
    new_password = strong_password()
    api.ledger.add(new_password)
    response = api.post(
        "/users/me/password",
        {"currentPassword": account.password, "newPassword": new_password},
        token=current.access,
    )
    assert response.status_code == 204, response.text
    assert api.validate(current.access).status_code == 200
    assert api.refresh_response(current.refresh).status_code == 200
    assert_unauthorized(api.validate(other.access))
    assert_error(api.refresh_response(other.refresh), 401, "invalid_refresh_token")
    assert_error(api.login_response(account.email, account.password), 401, "invalid_credentials")
    assert api.login_response(account.email, new_password).status_code == 200


def test_password_change_refusals(api: Api):
    account = api.new_account("pwrefuse")
    tokens = api.login(account)
    wrong = api.post(
        "/users/me/password",
        {"currentPassword": strong_password(), "newPassword": strong_password()},
        token=tokens.access,
    )
    assert_error(wrong, 403, "invalid_credentials")  # the session is fine: not a 401
    weak = api.post(
        "/users/me/password",
        {"currentPassword": account.password, "newPassword": "password"},
        token=tokens.access,
    )
    assert_error(weak, 400, "weak_password", field="newPassword")
    missing = api.post("/users/me/password", {"currentPassword": account.password}, token=tokens.access)
    assert_error(missing, 400, "validation_error", field="newPassword")
    assert_unauthorized(
        api.post(
            "/users/me/password", {"currentPassword": account.password, "newPassword": strong_password()}
        )
    )
    # None of the refusals changed the password or signed the user out.
    assert api.validate(tokens.access).status_code == 200
    assert api.login_response(account.email, account.password).status_code == 200


def test_delete_account_removes_login_and_frees_the_email(api: Api):
    account = api.new_account("delete")
    tokens = api.login(account)
    other = api.login(account)
    response = api.delete("/users/me", {"password": account.password}, token=tokens.access)
    assert response.status_code == 204, response.text
    for session in (tokens, other):
        assert_unauthorized(api.validate(session.access))
        assert_unauthorized(api.get("/users/me", token=session.access))
        assert_error(api.refresh_response(session.refresh), 401, "invalid_refresh_token")
    assert_error(api.login_response(account.email, account.password), 401, "invalid_credentials")
    again = api.register(account.email, strong_password())
    assert again.status_code == 201, again.text
    assert again.json()["user"]["userId"] != account.user["userId"]


def test_delete_account_refusals(api: Api):
    account = api.new_account("delrefuse")
    tokens = api.login(account)
    assert_error(
        api.delete("/users/me", {"password": strong_password()}, token=tokens.access),
        403,
        "invalid_credentials",
    )
    assert_error(api.delete("/users/me", {}, token=tokens.access), 400, "validation_error", field="password")
    assert_unauthorized(api.delete("/users/me", {"password": account.password}))
    assert api.validate(tokens.access).status_code == 200
    assert api.login_response(account.email, account.password).status_code == 200
