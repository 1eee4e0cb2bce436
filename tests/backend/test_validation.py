from __future__ import annotations

import pytest
from auth_service import validation
from auth_service.errors import ApiError


def _field_of(excinfo: pytest.ExceptionInfo[ApiError]) -> str:
    assert excinfo.value.status == 400
    assert excinfo.value.code == "validation_error"
    return excinfo.value.details["field"]


def test_unknown_field_is_named():
    with pytest.raises(ApiError) as excinfo:
        validation.check_fields({"email": "a@b.co", "admin": True}, allowed=("email",))
    assert _field_of(excinfo) == "admin"


def test_missing_or_null_required_field_is_named():
    for body in ({}, {"email": None}):
        with pytest.raises(ApiError) as excinfo:
            validation.check_fields(body, allowed=("email",), required=("email",))
        assert _field_of(excinfo) == "email"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("  Alice@Example.COM ", "alice@example.com"), ("a.b+tag@sub.example.org", "a.b+tag@sub.example.org")],
)
def test_email_is_trimmed_and_lower_cased(raw, normalised):
    assert validation.email_field(raw) == normalised


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "no-at-sign",
        "a@b",
        "a b@example.com",
        "a@-example.com",
        "a@example.c",
        "@example.com",
        42,
        None,
        ["a@b.co"],
        "x" * 250 + "@example.com",
    ],
)
def test_bad_emails_are_refused(bad):
    with pytest.raises(ApiError) as excinfo:
        validation.email_field(bad)
    assert _field_of(excinfo) == "email"


def test_password_field_checks_type_and_size_only():
    assert validation.password_field("short") == "short"  # the policy is passwords.check_policy
    for bad in (12345678, None, "", "x" * (validation.MAX_PASSWORD_CHARS + 1)):
        with pytest.raises(ApiError) as excinfo:
            validation.password_field(bad)
        assert _field_of(excinfo) == "password"


def test_display_name_is_trimmed_bounded_and_printable():
    assert validation.display_name_field("  Ada  ") == "Ada"
    for bad in ("x" * 101, "bad\u0000name", 7):
        with pytest.raises(ApiError) as excinfo:
            validation.display_name_field(bad)
        assert _field_of(excinfo) == "displayName"


def test_profile_accepts_known_fields_and_clears_with_null():
    cleaned = validation.profile_field(
        {
            "firstName": " Ada ",
            "lastName": None,
            "photoURL": "https://cdn.example.com/a.png",
            "phoneNumber": "+1 415-555-0100",
        }
    )
    assert cleaned == {
        "firstName": "Ada",
        "lastName": "",
        "photoURL": "https://cdn.example.com/a.png",
        "phoneNumber": "+14155550100",
    }


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"nickname": "x"}, "profile.nickname"),
        ({"photoURL": "http://example.com/a.png"}, "profile.photoURL"),
        ({"photoURL": "javascript:alert(1)"}, "profile.photoURL"),
        ({"phoneNumber": "555-0100"}, "profile.phoneNumber"),
        ({"firstName": "x" * 101}, "profile.firstName"),
        ({"lastName": 3}, "profile.lastName"),
    ],
)
def test_profile_errors_name_the_nested_field(profile, field):
    with pytest.raises(ApiError) as excinfo:
        validation.profile_field(profile)
    assert _field_of(excinfo) == field


def test_profile_must_be_an_object():
    with pytest.raises(ApiError) as excinfo:
        validation.profile_field(["firstName"])
    assert _field_of(excinfo) == "profile"


def test_bool_field_refuses_truthy_strings():
    assert validation.bool_field(True, "allDevices") is True
    with pytest.raises(ApiError) as excinfo:
        validation.bool_field("true", "allDevices")
    assert _field_of(excinfo) == "allDevices"
