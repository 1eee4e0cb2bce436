"""The session service as wired for handler modules that issue or revoke sessions.

Revoking needs no key, so the private signing keys are read only by the functions that mint
tokens (``signing_session_service``), which fetch them at cold start; IAM lets no other function
read them.
"""

from __future__ import annotations

import functools

from auth_service.services import deps
from auth_service.services.sessions import SessionService


@functools.cache
def session_service() -> SessionService:
    return SessionService(
        sessions=deps.sessions_repository(),
        users=deps.users_repository(),
        keys=deps.key_cache,  # only when a token is minted: revoking needs no key
        settings=deps.settings(),
    )


def signing_session_service() -> SessionService:
    """The session service of a function that mints access tokens: its keys fetched at cold start."""
    deps.key_cache()
    return session_service()
