"""POST /auth/google: verify the ID token, then sign in, link, or create the user.

Finding, linking and creating follow ``services.identity_linking`` (a verified account is linked;
an unverified one is taken over by the verified email's owner).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from auth_service import errors, validation
from auth_service.google_tokens import GoogleTokenVerifier
from auth_service.log import logger
from auth_service.repositories.users import UsersRepository
from auth_service.services.brute_force import BruteForceGuard
from auth_service.services.identity_linking import IdentityLinker, ProviderIdentity, printable
from auth_service.services.sessions import SessionService
from auth_service.users import iso_utc


def parse_google_sign_in(body: Mapping[str, Any]) -> str:
    validation.check_fields(body, allowed=("idToken",), required=("idToken",))
    return validation.token_field(body["idToken"], "idToken")


def issue_provider_session(
    users: UsersRepository, sessions: SessionService, user: Mapping[str, Any], *, now_iso: str
) -> dict[str, Any]:
    """The token response of a provider sign-in (``lastLoginAt`` written with the new session)."""
    record_login = users.record_login_update(str(user["userId"]), now_iso)
    return sessions.issue({**user, "lastLoginAt": now_iso}, together_with=[record_login])


class GoogleSignInService:
    def __init__(
        self,
        *,
        users: UsersRepository,
        sessions: SessionService,
        verifier: GoogleTokenVerifier,
        guard: BruteForceGuard,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._verifier = verifier
        self._guard = guard
        self._linker = IdentityLinker(users=users, sessions=sessions, clock=clock)
        self._clock = clock

    def sign_in(self, body: Mapping[str, Any], *, source_ip: str) -> dict[str, Any]:
        # Before the token is even looked at: a first sign-in creates an account, like a registration.
        self._guard.check_ip("google", source_ip)
        identity = self._verifier.verify(parse_google_sign_in(body))
        try:
            validation.email_field(identity.email)
        except errors.ApiError:
            raise errors.invalid_id_token("The ID token's email address is not usable.") from None
        user, is_new = self._linker.find_or_create(
            ProviderIdentity("google", identity.sub, identity.email, display_name=printable(identity.name))
        )
        response = issue_provider_session(self._users, self._sessions, user, now_iso=iso_utc(self._clock()))
        logger.info("google sign-in", extra={"userId": user["userId"], "isNewUser": is_new})
        return {**response, "isNewUser": is_new}
