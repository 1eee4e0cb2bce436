"""POST /auth/login: per-IP limit, account lockout, constant-work password check, session.

Unknown emails, Google-only accounts and wrong passwords all cost exactly one bcrypt check
and give the same 401, so neither the answer nor its timing reveals whether an email is
registered. Failures are counted per normalised email even when no account exists, for the
same reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from auth_service import errors, passwords, validation
from auth_service.config import Settings
from auth_service.log import logger
from auth_service.repositories.dynamodb import get_items
from auth_service.repositories.users import UsersRepository, claimed_user_id, email_claim
from auth_service.services.brute_force import BruteForceGuard
from auth_service.services.sessions import SessionService
from auth_service.users import iso_utc


def parse_login(body: Mapping[str, Any]) -> tuple[str, str]:
    validation.check_fields(body, allowed=("email", "password"), required=("email", "password"))
    return validation.email_field(body["email"]), validation.password_field(body["password"])


class LoginService:
    def __init__(
        self,
        *,
        users: UsersRepository,
        sessions: SessionService,
        guard: BruteForceGuard,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._guard = guard
        self._settings = settings
        self._clock = clock

    def _user_with_password(self, user_id: str | None, password: str) -> dict[str, Any] | None:
        user = self._users.get(user_id) if user_id else None
        stored_hash = str(user.get("passwordHash") or "") if user else ""
        if not stored_hash:
            passwords.spend_dummy_verification(password, self._settings.bcrypt_rounds)
            return None
        return user if passwords.verify_password(password, stored_hash) else None

    def login(self, body: Mapping[str, Any], *, source_ip: str) -> dict[str, Any]:
        self._guard.check_ip("login", source_ip)
        email, password = parse_login(body)
        # One round trip for the account's failure counter and the email's claim (both keyed
        # by the email alone); the lock is still decided before any password check.
        failures_item, claim_item = get_items(
            [self._guard.account_ref(email), self._users.claim_ref(email_claim(email))]
        )
        has_failures = self._guard.check_account_item(failures_item)
        user = self._user_with_password(claimed_user_id(claim_item), password)
        if user is None:
            self._guard.record_failure(email)
            logger.info("login failed", extra={"reason": "invalid_credentials"})
            raise errors.invalid_credentials()
        if has_failures:
            self._guard.record_success(email)
        stored_hash = str(user["passwordHash"])
        new_hash = None
        if passwords.needs_rehash(stored_hash, self._settings.bcrypt_rounds):
            new_hash = passwords.hash_password(password, self._settings.bcrypt_rounds)
        now_iso = iso_utc(self._clock())
        # lastLoginAt (and the rehash) and the new session: one round trip.
        record_login = self._users.record_login_update(
            str(user["userId"]), now_iso, new_password_hash=new_hash
        )
        response = self._sessions.issue({**user, "lastLoginAt": now_iso}, together_with=[record_login])
        logger.info("login succeeded", extra={"userId": user["userId"], "rehashed": new_hash is not None})
        return response
