"""Strict validation of request bodies: types, lengths, syntax, unknown fields.

Every failure is a 400 ``validation_error`` whose ``details.field`` names the offending field
(dotted for nested ones, e.g. ``profile.phoneNumber``), so the iOS app can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

from auth_service.errors import validation_error

MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit
MAX_PASSWORD_CHARS = 256  # pre-hashed before bcrypt, so only a DoS bound
MAX_NAME_LENGTH = 100
MAX_URL_LENGTH = 2048
MAX_TOKEN_LENGTH = 8192
PROFILE_FIELDS = ("firstName", "lastName", "photoURL", "phoneNumber")

# Deliberately simple: one "@", a non-empty local part without spaces, and a dotted domain
# of LDH labels. Full RFC 5322 syntax (quoted locals, comments) is not worth accepting.
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")


def check_fields(
    body: Mapping[str, Any], *, allowed: Collection[str], required: Collection[str] = (), prefix: str = ""
) -> None:
    """Reject unknown fields and missing required ones."""
    for name in body:
        if name not in allowed:
            raise validation_error(f"{prefix}{name}", "unknown field")
    for name in required:
        if name not in body or body[name] is None:
            raise validation_error(f"{prefix}{name}", "is required")


# The control (Cc) and format (Cf) characters of the Basic Multilingual Plane (Unicode 15): invisible,
# or able to reorder how text around them displays. Refused in names; an explicit set rather than
# unicodedata's categories, so that every Python gives the same answer and the API contract can
# state it (the ``Name`` schema of docs/openapi.yaml has this very class). The supplementary
# planes' format characters are allowed: emoji tag sequences (subdivision flags) use them.
INVISIBLE_CHARACTERS = (
    "\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u0600-\\u0605\\u061C\\u06DD\\u070F\\u0890-\\u0891\\u08E2\\u180E"
    "\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF\\uFFF9-\\uFFFB"
)
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]")


def _has_control_chars(value: str) -> bool:
    return _INVISIBLE.search(value) is not None


def string_field(value: Any, field: str, *, max_length: int, min_length: int = 0) -> str:
    if not isinstance(value, str):
        raise validation_error(field, "must be a string")
    if len(value) > max_length:
        raise validation_error(field, f"must be at most {max_length} characters")
    if len(value) < min_length:
        raise validation_error(field, f"must be at least {min_length} characters")
    return value


def email_field(value: Any, field: str = "email") -> str:
    """Normalise (trim, lower-case) and check an email address."""
    raw = string_field(value, field, max_length=MAX_EMAIL_LENGTH + 64)
    email = raw.strip().lower()
    if not email:
        raise validation_error(field, "is required")
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL_RE.match(email):
        raise validation_error(field, "must be a valid email address")
    return email


def password_field(value: Any, field: str = "password") -> str:
    """Type and size only; the strength policy (length, common list) is ``passwords.check_policy``."""
    password = string_field(value, field, max_length=MAX_PASSWORD_CHARS)
    if not password:
        raise validation_error(field, "is required")
    return password


def display_name_field(value: Any, field: str = "displayName") -> str:
    name = string_field(value, field, max_length=MAX_NAME_LENGTH).strip()
    if _has_control_chars(name):
        raise validation_error(field, "must not contain control characters")
    return name


def bool_field(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise validation_error(field, "must be a boolean")
    return value


def token_field(value: Any, field: str) -> str:
    token = string_field(value, field, max_length=MAX_TOKEN_LENGTH).strip()
    if not token:
        raise validation_error(field, "is required")
    return token


def _photo_url(value: str, field: str) -> str:
    if not value:
        return ""
    if len(value) > MAX_URL_LENGTH:
        raise validation_error(field, f"must be at most {MAX_URL_LENGTH} characters")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or _has_control_chars(value) or " " in value:
        raise validation_error(field, "must be an https URL")
    return value


def _phone_number(value: str, field: str) -> str:
    compact = value.replace(" ", "").replace("-", "")
    if compact and not _E164_RE.match(compact):
        raise validation_error(field, "must be an E.164 phone number, e.g. +14155550100")
    return compact


def profile_field(value: Any, field: str = "profile") -> dict[str, str]:
    """A partial profile update: only the given keys; ``null`` or ``""`` clears a value."""
    if not isinstance(value, dict):
        raise validation_error(field, "must be an object")
    check_fields(value, allowed=PROFILE_FIELDS, prefix=f"{field}.")
    cleaned: dict[str, str] = {}
    for name, raw in value.items():
        sub = f"{field}.{name}"
        text = "" if raw is None else string_field(raw, sub, max_length=MAX_URL_LENGTH).strip()
        if name == "photoURL":
            cleaned[name] = _photo_url(text, sub)
        elif name == "phoneNumber":
            cleaned[name] = _phone_number(text, sub)
        else:
            if len(text) > MAX_NAME_LENGTH:
                raise validation_error(sub, f"must be at most {MAX_NAME_LENGTH} characters")
            if _has_control_chars(text):
                raise validation_error(sub, "must not contain control characters")
            cleaned[name] = text
    return cleaned
