"""/users/me: read, update, change password, delete the account.

Re-entering the password (to change it, or to delete the account) goes through the brute-force
guard like a sign-in does, per user and per source IP: a stolen access token must not become an
unlimited password-guessing oracle. A wrong password there is 403 ``invalid_credentials``, not
401: the session is fine, and a client that refreshes on 401 must not do so for a typo.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from auth_service import errors, passwords, validation
from auth_service.config import Settings
from auth_service.google_tokens import GoogleTokenVerifier
from auth_service.log import logger
from auth_service.repositories.dynamodb import get_items, plain
from auth_service.repositories.users import (
    UsersRepository,
    email_claim,
    provider_claim,
    session_generation,
)
from auth_service.services.apple_signin import (
    CREDENTIAL_FIELDS,
    AppleCredentialCheck,
    AppleRevocation,
    parse_apple_credential,
)
from auth_service.services.brute_force import BruteForceGuard, PasswordLock
from auth_service.services.sessions import SessionService
from auth_service.users import iso_utc, safe_user


def parse_profile_update(body: Mapping[str, Any]) -> tuple[str | None, dict[str, str]]:
    validation.check_fields(body, allowed=("displayName", "profile"))
    if not body:
        raise errors.validation_error("body", "nothing to update: send displayName and/or profile")
    display_name = None
    if "displayName" in body:
        display_name = validation.display_name_field(
            "" if body["displayName"] is None else body["displayName"]
        )
    profile = (
        validation.profile_field(body["profile"]) if "profile" in body and body["profile"] is not None else {}
    )
    return display_name, profile


class AccountService:
    def __init__(
        self,
        *,
        users: UsersRepository,
        sessions: SessionService | None,
        settings: Settings,
        guard: BruteForceGuard | None = None,
        google_verifier: Callable[[], GoogleTokenVerifier] | None = None,
        apple_check: Callable[[], AppleCredentialCheck] | None = None,
        apple_revocation: AppleRevocation | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._apple_check = apple_check
        self._apple_revocation = apple_revocation
        self._users = users
        self._sessions = sessions
        self._settings = settings
        self._guard = guard
        self._google_verifier = google_verifier
        self._clock = clock

    def _user(self, user_id: str) -> dict[str, Any]:
        user = self._users.get(user_id)
        if user is None:
            raise errors.not_found("user")
        return user

    def get(self, user_id: str) -> dict[str, Any]:
        return safe_user(self._user(user_id))

    def update(self, user_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        display_name, profile = parse_profile_update(body)
        updated = self._users.update_profile(
            user_id, display_name=display_name, profile=profile, now_iso=iso_utc(self._clock())
        )
        if updated is None:
            raise errors.not_found("user")
        return safe_user(updated)

    def _confirm_with_apple(self, user: Mapping[str, Any], body: Mapping[str, Any]) -> tuple[str, str]:
        """A fresh Apple credential of this account: its code gives a token to revoke."""
        for name in CREDENTIAL_FIELDS:
            if body.get(name) is None:
                raise errors.validation_error(name, "is required")
        if self._apple_check is None or not user.get("appleSub"):
            raise errors.invalid_id_token("This account is not linked to Apple.")
        identity, refresh_token = self._apple_check().check(*parse_apple_credential(body))
        if identity.sub != user["appleSub"]:
            raise errors.invalid_id_token("The identity token belongs to another account.")
        return identity.audience, refresh_token

    def _check_ip(self, source_ip: str) -> None:
        """Every request that re-enters a password counts, first (as a sign-in's per-IP limit)."""
        if self._guard is not None:
            self._guard.check_ip("reauth", source_ip)

    def _reauthenticate(
        self, user_id: str, password: str, *, source_ip: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The user, once ``password`` is checked under the guard; and the write that clears the
        count (to commit with the change). 403 on a wrong password, 429 while locked."""
        if self._guard is None:
            raise RuntimeError("re-authentication needs the brute-force guard")
        lock = PasswordLock("reauth", user_id)
        user_item, lock_item = get_items([self._users.ref(user_id), self._guard.lock_ref(lock)])
        if user_item is None:
            raise errors.not_found("user")
        user = plain(user_item)
        try:
            attempt = self._guard.reserve(lock, lock_item)
        except errors.ApiError:
            logger.warning(
                "password re-entry refused: locked", extra={"userId": user_id, "sourceIp": source_ip}
            )
            raise
        stored = str(user.get("passwordHash") or "")
        if not stored:
            passwords.spend_dummy_verification(password, self._settings.bcrypt_rounds)
        if not stored or not passwords.verify_password(password, stored):
            self._guard.failed(attempt, log_extra={"userId": user_id, "sourceIp": source_ip})
            logger.warning("password re-entry failed", extra={"userId": user_id, "sourceIp": source_ip})
            raise errors.wrong_current_password()
        return user, [self._guard.success_member(attempt)]

    def change_password(
        self, user_id: str, current_session_id: str, body: Mapping[str, Any], *, source_ip: str
    ) -> None:
        self._check_ip(source_ip)
        validation.check_fields(
            body, allowed=("currentPassword", "newPassword"), required=("currentPassword", "newPassword")
        )
        current = validation.password_field(body["currentPassword"], "currentPassword")
        new = validation.password_field(body["newPassword"], "newPassword")
        if new == current:
            raise errors.weak_password("newPassword", "The new password must differ from the current one.")
        email = str(self._user(user_id)["email"])
        passwords.check_policy(new, email=email, field="newPassword")  # before a guarded attempt is spent
        user, clear_count = self._reauthenticate(user_id, current, source_ip=source_ip)
        generation = session_generation(user) + 1
        keep = (
            [self._sessions.keep_across_password_change(current_session_id, generation)]
            if self._sessions
            else []
        )
        self._users.set_password_hash(
            user_id,
            passwords.hash_password(new, self._settings.bcrypt_rounds),
            iso_utc(self._clock()),
            generation=generation,
            together_with=[*keep, *clear_count],
        )
        revoked = self._sessions.revoke_all(user_id, keep=current_session_id) if self._sessions else 0
        logger.info("password changed", extra={"userId": user_id, "revokedSessions": revoked})

    def delete(
        self,
        user_id: str,
        body: Mapping[str, Any],
        *,
        source_ip: str,
        current_session_id: str | None = None,
    ) -> None:
        """Re-authenticate (the password; for an account without one, a fresh Google ID token or a fresh
        Apple credential), revoke the account's Apple tokens (App Store 5.1.1(v)), then delete."""
        self._check_ip(source_ip)
        validation.check_fields(body, allowed=("password", "idToken", *CREDENTIAL_FIELDS))
        apple_tokens: list[tuple[str, str]] = []
        clear_count: list[dict[str, Any]] = []
        if body.get("password") is not None:
            password = validation.password_field(body["password"])
            user, clear_count = self._reauthenticate(user_id, password, source_ip=source_ip)
        elif body.get("idToken") is not None:
            user = self._user(user_id)
            id_token = validation.token_field(body["idToken"], "idToken")
            if self._google_verifier is None or not user.get("googleSub"):
                raise errors.invalid_id_token("This account is not linked to Google.")
            identity = self._google_verifier().verify(id_token)
            if identity.sub != user["googleSub"]:
                raise errors.invalid_id_token("The ID token belongs to another account.")
        elif body.get("identityToken") is not None:
            user = self._user(user_id)
            apple_tokens.append(self._confirm_with_apple(user, body))
        else:
            raise errors.validation_error("password", "is required")
        if user.get("appleRefreshToken"):
            apple_tokens.append((str(user.get("appleClientId") or ""), str(user["appleRefreshToken"])))
        if apple_tokens and self._apple_revocation is not None:
            self._apple_revocation.revoke_all(apple_tokens, user_id=user_id)
        claims = [email_claim(str(user["email"]))]
        for provider in ("google", "apple"):
            if user.get(f"{provider}Sub"):
                claims.append(provider_claim(provider, str(user[f"{provider}Sub"])))
        self._users.delete(user_id, claims, together_with=clear_count)
        revoked = 0
        if self._sessions is not None:
            revoked = self._sessions.revoke_all(user_id)
            if current_session_id:  # the GSI may lag; the calling session goes for certain
                self._sessions.revoke(current_session_id)
        logger.info("account deleted", extra={"userId": user_id, "revokedSessions": revoked})
