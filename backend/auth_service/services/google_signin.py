"""POST /auth/google: verify the ID token, then sign in, link, or create the user.

1. a user already holds the claim ``google#<sub>`` -> sign in;
2. else a user holds ``email#<verified email>`` -> link Google to it (the ID token proves the
   email is verified by Google, the same proof a verification email would give) and sign in;
3. else create a Google-only user (no password) holding both claims -> ``isNewUser: true``.
A lost race on a claim (two first sign-ins at once) is retried once: the loser then finds
the winner's user.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from auth_service import errors, validation
from auth_service.config import Settings
from auth_service.google_tokens import GoogleIdentity, GoogleTokenVerifier
from auth_service.log import logger
from auth_service.repositories.users import ClaimTaken, UsersRepository, email_claim, google_claim
from auth_service.services.brute_force import BruteForceGuard
from auth_service.services.sessions import SessionService
from auth_service.users import iso_utc, new_user_item


def _printable(text: str) -> str:
    """The ID token's display name without control/format characters (it is user-chosen)."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))


def parse_google_sign_in(body: Mapping[str, Any]) -> str:
    validation.check_fields(body, allowed=("idToken",), required=("idToken",))
    return validation.token_field(body["idToken"], "idToken")


class GoogleSignInService:
    def __init__(
        self,
        *,
        users: UsersRepository,
        sessions: SessionService,
        verifier: GoogleTokenVerifier,
        guard: BruteForceGuard,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._guard = guard
        self._sessions = sessions
        self._verifier = verifier
        self._settings = settings
        self._clock = clock

    def sign_in(self, body: Mapping[str, Any], *, source_ip: str) -> dict[str, Any]:
        # Before the token is even looked at: a first sign-in creates an account, like a registration.
        self._guard.check_ip("google", source_ip)
        identity = self._verifier.verify(parse_google_sign_in(body))
        try:
            validation.email_field(identity.email)
        except errors.ApiError:
            raise errors.invalid_id_token("The ID token's email address is not usable.") from None
        for _attempt in range(2):
            try:
                user, is_new = self._find_or_create(identity)
            except ClaimTaken:
                continue
            now_iso = iso_utc(self._clock())
            record_login = self._users.record_login_update(str(user["userId"]), now_iso)
            response = self._sessions.issue({**user, "lastLoginAt": now_iso}, together_with=[record_login])
            logger.info("google sign-in", extra={"userId": user["userId"], "isNewUser": is_new})
            return {**response, "isNewUser": is_new}
        raise errors.internal_error()

    def _find_or_create(self, identity: GoogleIdentity) -> tuple[dict[str, Any], bool]:
        user_id = self._users.user_id_for_claim(google_claim(identity.sub))
        if user_id:
            user = self._users.get(user_id)
            if user is not None:
                return user, False
        now = self._clock()
        user_id = self._users.user_id_for_claim(email_claim(identity.email))
        if user_id:
            user = self._users.get(user_id)
            if user is not None:
                if user.get("googleSub") and user["googleSub"] != identity.sub:
                    # the email's account is linked to another Google subject: refuse, never relink
                    raise errors.invalid_id_token("This email is linked to a different Google account.")
                self._users.link_google(user_id, identity.sub, iso_utc(now))
                linked = self._users.get(user_id)
                if linked is None:
                    raise ClaimTaken
                return linked, False
        user = new_user_item(
            email=identity.email,
            display_name=_printable(identity.name)[: validation.MAX_NAME_LENGTH].strip(),
            now=now,
            google_sub=identity.sub,
            email_verified=True,
        )
        self._users.create(user, [email_claim(identity.email), google_claim(identity.sub)])
        return user, True
