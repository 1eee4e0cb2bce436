"""The password reset service as wired for its two handler modules (forgot, reset)."""

from __future__ import annotations

import functools

from auth_service.handlers._sessions import session_service
from auth_service.services import deps
from auth_service.services.password_reset import PasswordResetService


@functools.cache
def password_reset_service() -> PasswordResetService:
    return PasswordResetService(
        users=deps.users_repository(),
        sessions=session_service(),
        codes=deps.one_time_codes(),
        limiter=deps.send_limiter(),
        guard=deps.brute_force_guard(),
        rate_limits=deps.rate_limits_repository(),
        mailer=deps.mailer,
        hasher=deps.keyed_hasher,
        settings=deps.settings(),
    )
