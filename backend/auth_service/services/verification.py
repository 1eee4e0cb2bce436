"""Email verification: a 6-digit code mailed at sign-up (and on request), entered in the app.

``POST /auth/email/verify`` spends the code and marks the email verified, in one transaction;
``POST /auth/email/verify/resend`` mails a new code (the old one stops working), at most one a
minute and 5 an hour per user.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from auth_service import errors, validation
from auth_service.config import Settings
from auth_service.email_messages import verification_email
from auth_service.log import logger
from auth_service.repositories.dynamodb import cancellation_codes, transact_write
from auth_service.repositories.email import Mailer
from auth_service.repositories.users import UsersRepository
from auth_service.services.codes import OneTimeCodes, code_field
from auth_service.services.send_limits import SendLimiter
from auth_service.users import iso_utc, safe_user

PURPOSE = "verify"


class EmailVerificationService:
    def __init__(
        self,
        *,
        users: UsersRepository,
        codes: OneTimeCodes,
        limiter: SendLimiter,
        mailer: Callable[[], Mailer],
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._codes = codes
        self._limiter = limiter
        self._mailer = mailer
        self._settings = settings
        self._clock = clock

    def send_code(self, user: Mapping[str, Any]) -> None:
        """Mail a new code to ``user`` (429 over the send limits)."""
        user_id = str(user["userId"])
        self._limiter.take(PURPOSE, user_id)
        code = self._codes.issue(PURPOSE, user_id, user_id=user_id)
        message = verification_email(to=str(user["email"]), app_name=self._settings.app_name, code=code)
        self._mailer().send(message)
        logger.info("verification email sent", extra={"userId": user_id})

    def send_code_after_sign_up(self, user: Mapping[str, Any]) -> None:
        """As :meth:`send_code`, but a failure is logged, not raised: the account exists, and the
        app offers to resend."""
        try:
            self.send_code(user)
        except Exception:
            logger.exception("verification email not sent at sign-up", extra={"userId": user["userId"]})

    def resend(self, user_id: str) -> None:
        user = self._users.get(user_id)
        if user is None:
            raise errors.not_found("user")
        if user.get("emailVerified"):
            raise errors.already_verified()
        try:
            self.send_code(user)
        except (ClientError, BotoCoreError) as exc:
            logger.error(
                "verification email not sent", extra={"userId": user_id, "error": type(exc).__name__}
            )
            raise errors.email_unavailable() from None

    def verify(self, user_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        validation.check_fields(body, allowed=("code",), required=("code",))
        code = code_field(body["code"])
        user = self._users.get(user_id)
        if user is None:
            raise errors.not_found("user")
        checked = self._codes.check(PURPOSE, user_id, code)
        now_iso = iso_utc(self._clock())
        try:
            transact_write([self._users.verified_email_member(user_id, now_iso), checked.spend])
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):  # spent or replaced meanwhile
                raise errors.invalid_code() from None
            raise
        logger.info("email verified", extra={"userId": user_id})
        return safe_user({**user, "emailVerified": True, "updatedAt": now_iso})
