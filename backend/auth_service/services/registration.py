"""POST /auth/register: validate, hash, claim the email atomically, mail a verification code, and
open a session: sign-up signs in, in one round trip for the app (as Firebase's and Supabase's do)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from auth_service import errors, passwords, validation
from auth_service.config import Settings
from auth_service.log import logger
from auth_service.repositories.users import ClaimTaken, UsersRepository, email_claim
from auth_service.services.brute_force import BruteForceGuard
from auth_service.services.sessions import SessionService
from auth_service.services.verification import EmailVerificationService
from auth_service.users import new_user_item

REGISTER_FIELDS = ("email", "password", "displayName")


def parse_registration(body: Mapping[str, Any]) -> tuple[str, str, str]:
    validation.check_fields(body, allowed=REGISTER_FIELDS, required=("email", "password"))
    email = validation.email_field(body["email"])
    password = validation.password_field(body["password"])
    raw_name = body.get("displayName")
    display_name = "" if raw_name is None else validation.display_name_field(raw_name)
    passwords.check_policy(password, email=email)
    return email, password, display_name


class RegistrationService:
    def __init__(
        self,
        *,
        users: UsersRepository,
        guard: BruteForceGuard,
        sessions: SessionService,
        verification: EmailVerificationService,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._guard = guard
        self._sessions = sessions
        self._verification = verification
        self._settings = settings
        self._clock = clock

    def register(self, body: Mapping[str, Any], *, source_ip: str) -> dict[str, Any]:
        self._guard.check_ip("register", source_ip)
        email, password, display_name = parse_registration(body)
        user = new_user_item(
            email=email,
            display_name=display_name,
            now=self._clock(),
            password_hash=passwords.hash_password(password, self._settings.bcrypt_rounds),
        )
        try:
            self._users.create(user, [email_claim(email)])
        except ClaimTaken:
            raise errors.email_taken() from None
        logger.info("user registered", extra={"userId": user["userId"]})
        self._verification.send_code_after_sign_up(user)
        return self._sessions.issue(user)
