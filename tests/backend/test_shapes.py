from __future__ import annotations

from auth_service.shapes import token_response
from auth_service.users import iso_utc, new_user_item, safe_user

from tests.contract import property_names, required_fields

SAFE_KEYS = required_fields("SafeUser")


def _user() -> dict:
    return new_user_item(
        email="ada@example.com",
        display_name="Ada",
        now=1_800_000_000,
        password_hash="$2b$04$hash",
        google_sub="g-1",
    )


def test_new_user_record_has_providers_and_empty_profile():
    user = _user()
    assert user["authProviders"] == ["password", "google"]
    assert user["profile"] == dict.fromkeys(property_names("Profile"), "")
    assert user["createdAt"] == user["updatedAt"] == "2027-01-15T08:00:00Z"
    assert len(user["userId"]) == 32


def test_safe_user_whitelists_fields_and_never_leaks_secrets():
    user = {**_user(), "internalFlag": True}
    safe = safe_user(user)
    assert set(safe) == SAFE_KEYS
    assert "$2b$" not in repr(safe)
    assert "g-1" not in repr(safe)
    assert safe["lastLoginAt"] is None


def test_empty_profile_fields_are_null_in_the_response():
    # "" broke the contract's `format: uri` for photoURL and a Swift client decoding `URL?`.
    assert safe_user(_user())["profile"] == {
        "firstName": None,
        "lastName": None,
        "photoURL": None,
        "phoneNumber": None,
    }
    partial = safe_user({**_user(), "profile": {"firstName": "Ada", "photoURL": ""}})
    assert partial["profile"] == {"firstName": "Ada", "lastName": None, "photoURL": None, "phoneNumber": None}


def test_token_response_shape():
    response = token_response(
        user=_user(),
        access_token="a.b.c",
        refresh_token="r" * 76,
        expires_in=900,
        session_id="s" * 32,
        session_expires_at=1_800_000_000,
    )
    assert set(response) == required_fields("TokenResponse")
    assert response["tokenType"] == "Bearer"
    assert response["expiresIn"] == 900
    assert response["session"] == {"sessionId": "s" * 32, "expiresAt": "2027-01-15T08:00:00Z"}
    assert set(response["user"]) == SAFE_KEYS


def test_iso_utc_is_seconds_precision_zulu():
    assert iso_utc(0) == "1970-01-01T00:00:00Z"
