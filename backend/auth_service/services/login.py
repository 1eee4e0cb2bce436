"""POST /auth/login: per-IP limit, a reserved attempt, constant-work password check, session.

Unknown emails, Google-only accounts and wrong passwords all cost exactly one bcrypt check
and give the same 401, so neither the answer nor its timing reveals whether an email is
registered. Attempts are counted (and locked) per normalised email and source address even when
no account exists, for the same reason. Failures are logged with the email's keyed hash and the
source address, never the email.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from auth_service import errors, passwords, validation
from auth_service.config import Settings
from auth_service.keyed_hash import KeyedHasher
from auth_service.log import logger
from auth_service.repositories.dynamodb import cancellation_codes, get_items, is_conditional_failure
from auth_service.repositories.users import UsersRepository, claimed_user_id, email_claim
from auth_service.services.brute_force import BruteForceGuard, PasswordLock
from auth_service.services.sessions import SessionService
from auth_service.users import iso_utc


def parse_login(body: Mapping[str, Any]) -> tuple[str, str]:
    validation.check_fields(body, allowed=("email", "password"), required=("email", "password"))
    return validation.email_field(body["email"]), validation.password_field(body["password"])


def password_changed_meanwhile(error: ClientError) -> bool:
    """The sign-in's write met a condition on the verified hash: the password changed since."""
    return is_conditional_failure(error) or "ConditionalCheckFailed" in cancellation_codes(error)


class LoginService:
    def __init__(
        self,
        *,
        users: UsersRepository,
        sessions: SessionService,
        guard: BruteForceGuard,
        settings: Settings,
        hasher: Callable[[], KeyedHasher],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._guard = guard
        self._settings = settings
        self._hasher = hasher
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
        lock = PasswordLock("login", email, source_ip)
        # One round trip for what is keyed by the email alone: this address's lock, the email's
        # failures from every address, and its claim. The attempt is then counted before any
        # password check (a conditional write), so concurrent guesses cannot outrun the lock.
        lock_item, tally_item, claim_item = get_items(
            [
                self._guard.lock_ref(lock),
                self._guard.tally_ref("login", email),
                self._users.claim_ref(email_claim(email)),
            ]
        )
        security = {"emailRef": self._hasher().email_ref(email), "sourceIp": source_ip}
        try:
            attempt = self._guard.reserve(lock, lock_item, threshold=self._guard.threshold(tally_item))
        except errors.ApiError:
            logger.warning("login refused: locked", extra=security)
            raise
        user = self._user_with_password(claimed_user_id(claim_item), password)
        if user is None:
            self._guard.failed(attempt, log_extra=security)
            logger.warning("login failed", extra={**security, "reason": "invalid_credentials"})
            raise errors.invalid_credentials()
        stored_hash = str(user["passwordHash"])
        new_hash = None
        if passwords.needs_rehash(stored_hash, self._settings.bcrypt_rounds):
            new_hash = passwords.hash_password(password, self._settings.bcrypt_rounds)
        now_iso = iso_utc(self._clock())
        # lastLoginAt (and the rehash), the cleared attempt count and the new session: one round
        # trip, on condition that the password is still the one just verified (a change that
        # raced this sign-in wins, and a rehash never writes back an old password).
        record_login = self._users.record_login_update(
            str(user["userId"]), now_iso, verified_hash=stored_hash, new_password_hash=new_hash
        )
        try:
            response = self._sessions.issue(
                {**user, "lastLoginAt": now_iso},
                together_with=[record_login, self._guard.success_member(attempt)],
            )
        except ClientError as error:
            if not password_changed_meanwhile(error):
                raise
            logger.info("login raced a password change; refused", extra=security)
            raise errors.invalid_credentials() from None
        logger.info("login succeeded", extra={"userId": user["userId"], "rehashed": new_hash is not None})
        return response
