"""The email verification service as wired for the handler modules that send or check codes."""

from __future__ import annotations

import functools

from auth_service.services import deps
from auth_service.services.verification import EmailVerificationService


@functools.cache
def verification_service() -> EmailVerificationService:
    return EmailVerificationService(
        users=deps.users_repository(),
        codes=deps.one_time_codes(),
        limiter=deps.send_limiter(),
        mailer=deps.mailer,
        settings=deps.settings(),
    )
