"""The session service as wired for handler modules that issue or revoke sessions."""

from __future__ import annotations

import functools

from auth_service.services import deps
from auth_service.services.sessions import SessionService


@functools.cache
def session_service() -> SessionService:
    return SessionService(
        sessions=deps.sessions_repository(),
        users=deps.users_repository(),
        keys=deps.key_cache(),
        settings=deps.settings(),
    )
