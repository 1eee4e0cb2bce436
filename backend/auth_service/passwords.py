"""Password hashing (bcrypt) and the password policy.

bcrypt only reads the first 72 bytes of its input (bcrypt 5 raises on longer input), so a
long passphrase would be silently truncated. We follow OWASP's Password Storage Cheat Sheet
pre-hashing advice: bcrypt's input is ``base64(SHA-256(NFC(password)))`` — 44 ASCII bytes,
no NUL bytes (raw digests may contain NUL, which bcrypt treats as the end of the string), and
every character of the password counts. The stored value is a standard ``$2b$`` bcrypt hash.

Policy (NIST SP 800-63B §5.1.1.2): at least 8 characters, not among the 100,000 most common breached
passwords (``common_passwords.txt``: its source and licence are in its header), not the account's
email address. No composition rules.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import unicodedata
from pathlib import Path

import bcrypt

from auth_service.errors import weak_password

MIN_PASSWORD_LENGTH = 8
_COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


def _bcrypt_input(password: str) -> bytes:
    digest = hashlib.sha256(unicodedata.normalize("NFC", password).encode("utf-8")).digest()
    return base64.b64encode(digest)


def hash_password(password: str, rounds: int) -> str:
    return bcrypt.hashpw(_bcrypt_input(password), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def verify_password(password: str, stored_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_bcrypt_input(password), stored_hash.encode("ascii"))
    except ValueError:  # a malformed stored hash never verifies
        return False


def hash_cost(stored_hash: str) -> int | None:
    """The cost factor of a ``$2b$12$...`` hash, or None if it is not one."""
    parts = stored_hash.split("$")
    if len(parts) < 4 or not parts[2].isdigit():
        return None
    return int(parts[2])


def needs_rehash(stored_hash: str, rounds: int) -> bool:
    return hash_cost(stored_hash) != rounds


def _dummy_hash(rounds: int) -> bytes:
    # A well-formed bcrypt hash (all-zero salt and digest) that no password matches: checking
    # against it costs exactly one bcrypt at ``rounds``, and making it costs nothing, so no
    # bcrypt runs at import (cold start) and the first unknown email is as slow as the rest.
    return b"$2b$%02d$" % rounds + b"." * 53


def spend_dummy_verification(password: str, rounds: int) -> None:
    """Cost one bcrypt check, so an unknown email takes as long as a wrong password."""
    bcrypt.checkpw(_bcrypt_input(password), _dummy_hash(rounds))


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.lstrip().startswith("#")
    )


def check_policy(password: str, *, email: str | None = None, field: str = "password") -> None:
    """Raise ``weak_password`` (400) when ``password`` breaks the policy."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise weak_password(field, f"Password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if not password.strip():
        raise weak_password(field, "Password must not be only whitespace.")
    if password.lower() in common_passwords():
        raise weak_password(field, "This password is too common; choose a less guessable one.")
    if email and password.strip().lower() in {email.lower(), email.split("@", 1)[0].lower()}:
        raise weak_password(field, "Password must not be your email address.")
