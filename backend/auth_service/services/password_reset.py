"""Password reset: ``POST /auth/password/forgot`` mails a code, ``POST /auth/password/reset`` uses it.

``forgot`` answers 202 with the same body whether or not the email has an account, and does the
same work for both — the same per-IP and per-email send limits, the same reads, a code item written
(for an unknown email, one that no code matches) — then waits out a floor of
:data:`MIN_FORGOT_DURATION_S`, so that the email sent to a known address does not show in the
answer's timing either.

``reset`` spends the code and, in one transaction: sets the new password (policy applied), moves
the user to a new session generation, marks the email verified (the code proved the mailbox) and
clears the email's sign-in locks (its failure tally, and the requesting address's lock); then every
session of the user is revoked. A wrong, expired or used code is 400 ``invalid_code``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from auth_service import errors, passwords, validation
from auth_service.config import Settings
from auth_service.email_messages import password_reset_email
from auth_service.keyed_hash import KeyedHasher
from auth_service.log import logger
from auth_service.repositories.dynamodb import cancellation_codes, transact_write
from auth_service.repositories.email import Mailer
from auth_service.repositories.rate_limits import RateLimitsRepository, lock_key, tally_key
from auth_service.repositories.users import UsersRepository, email_claim, session_generation
from auth_service.services.brute_force import BruteForceGuard
from auth_service.services.codes import OneTimeCodes, code_field
from auth_service.services.send_limits import SendLimiter
from auth_service.services.sessions import SessionService
from auth_service.users import iso_utc

PURPOSE = "reset"
# Longer than a forgot request with an email to send takes on Lambda (a few DynamoDB calls and one
# SES call, typically 50-150 ms), so both outcomes answer after the same floor.
MIN_FORGOT_DURATION_S = 0.4
_NO_SUCH_USER = "-"  # read when the email has no account, so the same reads happen either way
FORGOT_ACCEPTED = {"message": "If an account uses this email address, a reset code is on its way."}


class PasswordResetService:
    def __init__(
        self,
        *,
        users: UsersRepository,
        sessions: SessionService,
        codes: OneTimeCodes,
        limiter: SendLimiter,
        guard: BruteForceGuard,
        rate_limits: RateLimitsRepository,
        mailer: Callable[[], Mailer],
        hasher: Callable[[], KeyedHasher],
        settings: Settings,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._codes = codes
        self._limiter = limiter
        self._guard = guard
        self._rate_limits = rate_limits
        self._mailer = mailer
        self._hasher = hasher
        self._settings = settings
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep

    def forgot(self, body: Mapping[str, Any], *, source_ip: str) -> dict[str, str]:
        started = self._clock()
        try:
            self._guard.check_ip("password_reset", source_ip)
            validation.check_fields(body, allowed=("email",), required=("email",))
            email = validation.email_field(body["email"])
            self._limiter.take(PURPOSE, email)
            user_id = self._users.user_id_for_claim(email_claim(email))
            user = self._users.get(user_id or _NO_SUCH_USER)
            code = self._codes.issue(PURPOSE, email, user_id=str(user["userId"]) if user else "")
            security = {"emailRef": self._hasher().email_ref(email), "sourceIp": source_ip}
            if user is not None:
                message = password_reset_email(to=email, app_name=self._settings.app_name, code=code)
                try:
                    self._mailer().send(message)
                except (ClientError, BotoCoreError) as exc:
                    # Logged, not answered: a 5xx here only for known emails would tell them apart.
                    logger.error(
                        "password reset email not sent", extra={**security, "error": type(exc).__name__}
                    )
            logger.info("password reset requested", extra=security)
            return FORGOT_ACCEPTED
        finally:
            remaining = MIN_FORGOT_DURATION_S - (self._clock() - started)
            if remaining > 0:
                self._sleep(remaining)

    def reset(self, body: Mapping[str, Any], *, source_ip: str) -> None:
        self._guard.check_ip("password_reset", source_ip)
        validation.check_fields(
            body, allowed=("email", "code", "newPassword"), required=("email", "code", "newPassword")
        )
        email = validation.email_field(body["email"])
        code = code_field(body["code"])
        new_password = validation.password_field(body["newPassword"], "newPassword")
        passwords.check_policy(new_password, email=email, field="newPassword")
        security = {"emailRef": self._hasher().email_ref(email), "sourceIp": source_ip}
        try:
            checked = self._codes.check(PURPOSE, email, code)
            user = self._users.get(checked.user_id) if checked.user_id else None
            if user is None or str(user.get("email")) != email:
                raise errors.invalid_code()  # no account (a decoy code), or not this email's any more
        except errors.ApiError:
            logger.warning("password reset refused", extra={**security, "reason": "invalid_code"})
            raise
        user_id = str(user["userId"])
        reset = self._users.reset_password_member(
            user,
            passwords.hash_password(new_password, self._settings.bcrypt_rounds),
            iso_utc(self._wall_clock()),
            generation=session_generation(user) + 1,
        )
        clear_locks = [
            self._rate_limits.clear_member(tally_key("login", email)),
            self._rate_limits.clear_member(lock_key("login", email, source_ip)),
        ]
        try:
            transact_write([reset, checked.spend, *clear_locks])
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):  # spent or replaced meanwhile
                raise errors.invalid_code() from None
            raise
        revoked = self._sessions.revoke_all(user_id)
        logger.info(
            "password reset completed", extra={**security, "userId": user_id, "revokedSessions": revoked}
        )
