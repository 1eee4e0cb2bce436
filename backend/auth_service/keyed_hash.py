"""Keyed hashes (HMAC-SHA256) under the service's hashing key: one-time codes and log pseudonyms.

- A one-time code (6 digits: only a million possibilities) is stored only as
  ``HMAC(key, purpose:subject:code)``, so a leaked table cannot be brute-forced offline without
  the key, which lives in Secrets Manager (``HASHING_KEY_SECRET_ARN``), not in DynamoDB.
- Security logs (failed sign-ins, locks, resets) name an account by ``emailRef``, a truncated
  ``HMAC(key, "email:" + email)``: stable, so an operator can correlate events about one account,
  but not the address itself (OWASP ASVS V7.1.1; the logs are kept longer than the data).
"""

from __future__ import annotations

import hashlib
import hmac
import json

EMAIL_REF_HEX_CHARS = 16  # 64 bits: plenty to tell accounts apart in logs, useless to reverse


class HashingKeyError(ValueError):
    """The hashing-key secret is missing or malformed."""


class KeyedHasher:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise HashingKeyError("the hashing key must be at least 32 bytes")
        self._key = key

    @classmethod
    def from_secret(cls, secret_string: str | None) -> KeyedHasher:
        """From the secret ``{"hmacKey": "<64 random characters>"}`` (GenerateSecretString)."""
        try:
            key = json.loads(secret_string or "").get("hmacKey")
        except (ValueError, AttributeError):
            key = None
        if not isinstance(key, str) or not key:
            raise HashingKeyError('the hashing-key secret has no "hmacKey"')
        return cls(key.encode("utf-8"))

    def _digest(self, message: str) -> str:
        return hmac.new(self._key, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def email_ref(self, email: str) -> str:
        """The pseudonym of a (normalised) email in logs."""
        return self._digest("email:" + email)[:EMAIL_REF_HEX_CHARS]

    def code_hash(self, purpose: str, subject: str, code: str) -> str:
        """What is stored of a one-time code for ``purpose`` (verify, reset) and ``subject``."""
        return self._digest(f"code:{purpose}:{subject}:{code}")

    def code_matches(self, purpose: str, subject: str, code: str, stored_hash: str) -> bool:
        return hmac.compare_digest(self.code_hash(purpose, subject, code), stored_hash)
