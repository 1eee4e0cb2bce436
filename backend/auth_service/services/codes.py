"""One-time codes: 6 digits from ``secrets``, kept only as a keyed hash, 15 minutes, 5 tries, once.

A wrong, expired, used or replaced code all get the same 400 ``invalid_code``.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auth_service import errors
from auth_service.email_messages import CODE_LIFETIME_MINUTES
from auth_service.keyed_hash import KeyedHasher
from auth_service.repositories.codes import CodesRepository, code_key

CODE_LIFETIME_S = CODE_LIFETIME_MINUTES * 60
_CODE = re.compile(r"^[0-9]{6}$")


def code_field(value: Any, field: str = "code") -> str:
    if not isinstance(value, str) or not _CODE.match(value.strip()):
        raise errors.validation_error(field, "must be the 6-digit code from the email")
    return value.strip()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


@dataclass(frozen=True)
class CheckedCode:
    """A right code, not spent yet: ``spend`` goes in the transaction of what it unlocks."""

    user_id: str
    spend: dict[str, Any]


class OneTimeCodes:
    def __init__(
        self,
        repository: CodesRepository,
        hasher: Callable[[], KeyedHasher],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._repository = repository
        self._hasher = hasher
        self._clock = clock

    def issue(self, purpose: str, subject: str, *, user_id: str) -> str:
        """A new code for ``subject`` (the previous one stops working); returns it, to be sent."""
        code = new_code()
        now = int(self._clock())
        self._repository.put(
            code_key(purpose, subject),
            code_hash=self._hasher().code_hash(purpose, subject, code),
            user_id=user_id,
            created_at=now,
            expires_at=now + CODE_LIFETIME_S,
        )
        return code

    def check(self, purpose: str, subject: str, code: str) -> CheckedCode:
        key = code_key(purpose, subject)
        item = self._repository.take_attempt(key, int(self._clock()))
        stored_hash = str(item.get("codeHash", "")) if item else ""
        if not item or not self._hasher().code_matches(purpose, subject, code, stored_hash):
            raise errors.invalid_code()
        return CheckedCode(
            user_id=str(item.get("userId", "")), spend=self._repository.spend_member(key, stored_hash)
        )
