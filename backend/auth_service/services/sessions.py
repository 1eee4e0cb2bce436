"""Sessions: issuing tokens, refresh-token rotation with reuse detection, revocation.

Refresh tokens rotate on every use. Presenting a token that was already rotated away means
two parties hold it (RFC 9700 §4.14.2): the whole session is revoked, so the attacker's and
the victim's tokens (refresh and access — the authorizer reads the session) stop working.
Two concurrent refreshes with the same token count as reuse too (only one can win the
conditional write); clients must serialise their refreshes.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from auth_service import errors
from auth_service.config import Settings
from auth_service.key_cache import KeyCache
from auth_service.log import logger
from auth_service.repositories.sessions import SessionsRepository, session_expires_at
from auth_service.repositories.users import UsersRepository, session_generation
from auth_service.shapes import token_response
from auth_service.tokens import (
    hash_refresh_token,
    mint_access_token,
    new_refresh_token,
    new_session_id,
    refresh_token_session_id,
)
from auth_service.users import iso_utc


class SessionService:
    def __init__(
        self,
        *,
        sessions: SessionsRepository,
        users: UsersRepository,
        keys: Callable[[], KeyCache],
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessions = sessions
        self._users = users
        self._keys = keys
        self._settings = settings
        self._clock = clock

    def _access_token(self, user: Mapping[str, Any], session_id: str, now: int) -> str:
        return mint_access_token(
            self._keys().signing_key(),
            user_id=str(user["userId"]),
            email_verified=bool(user.get("emailVerified")),
            session_id=session_id,
            issuer=self._settings.token_issuer,
            audience=self._settings.token_audience,
            now=now,
            ttl_s=self._settings.access_token_ttl_s,
        )

    def _response(
        self, user: Mapping[str, Any], session_id: str, refresh: str, expires_at: int, now: int
    ) -> dict:
        return token_response(
            user=user,
            access_token=self._access_token(user, session_id, now),
            refresh_token=refresh,
            expires_in=self._settings.access_token_ttl_s,
            session_id=session_id,
            session_expires_at=expires_at,
        )

    def issue(
        self, user: Mapping[str, Any], *, together_with: Sequence[Mapping[str, Any]] = ()
    ) -> dict[str, Any]:
        """Open a new session for ``user`` and return the token response.

        ``together_with``: writes (TransactWriteItems members) to send with the session's, in
        one round trip — the sign-in's ``lastLoginAt`` update.
        """
        now = int(self._clock())
        session_id = new_session_id()
        refresh = new_refresh_token(session_id)
        expires_at = now + self._settings.refresh_token_ttl_s  # absolute: rotation never extends it
        access = self._access_token(user, session_id, now)  # fail before writing
        self._sessions.create(
            {
                "sessionId": session_id,
                "userId": str(user["userId"]),
                "createdAt": iso_utc(now),
                "expiresAt": expires_at,
                "refreshTokenHash": hash_refresh_token(refresh),
                "refreshCount": 0,
                "sessionGeneration": session_generation(user),
            },
            together_with=together_with,
        )
        logger.info("session created", extra={"userId": user["userId"], "sessionId": session_id})
        return token_response(
            user=user,
            access_token=access,
            refresh_token=refresh,
            expires_in=self._settings.access_token_ttl_s,
            session_id=session_id,
            session_expires_at=expires_at,
        )

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        session_id = refresh_token_session_id(refresh_token)
        if session_id is None:
            raise errors.invalid_refresh_token()
        presented_hash = hash_refresh_token(refresh_token)
        now = int(self._clock())
        session = self._sessions.get(session_id)
        if session is None:
            if self._sessions.session_of_rotated_token(presented_hash) == session_id:
                logger.warning(
                    "rotated refresh token reused after revocation", extra={"sessionId": session_id}
                )
                raise errors.refresh_token_reused()
            raise errors.invalid_refresh_token()
        expires_at = session_expires_at(session)
        if expires_at <= now:
            self._sessions.delete(session_id)
            raise errors.invalid_refresh_token()
        current_hash = str(session.get("refreshTokenHash", ""))
        if not hmac.compare_digest(presented_hash, current_hash):
            if self._sessions.session_of_rotated_token(presented_hash) == session_id:
                self._revoke_for_reuse(session_id, str(session["userId"]))
                raise errors.refresh_token_reused()
            raise errors.invalid_refresh_token()
        new_token = new_refresh_token(session_id)
        rotated = self._sessions.rotate_refresh_token(
            session_id,
            old_hash=presented_hash,
            new_hash=hash_refresh_token(new_token),
            now_iso=iso_utc(now),
            marker_expires_at=expires_at,
        )
        if not rotated:  # a concurrent refresh rotated this token first: that is reuse
            self._revoke_for_reuse(session_id, str(session["userId"]))
            raise errors.refresh_token_reused()
        user = self._users.get(str(session["userId"]))
        if user is None:
            self._sessions.delete(session_id)
            raise errors.invalid_refresh_token()
        if session_generation(session) != session_generation(user):
            # Opened before a password change that the revocation of the other sessions missed.
            logger.info("session predates a password change; revoked", extra={"sessionId": session_id})
            self._sessions.delete(session_id)
            raise errors.invalid_refresh_token()
        return self._response(user, session_id, new_token, expires_at, now)

    def keep_across_password_change(self, session_id: str, generation: int) -> dict[str, Any]:
        """The write that keeps ``session_id`` valid in the user's new generation."""
        return self._sessions.generation_update(session_id, generation)

    def _revoke_for_reuse(self, session_id: str, user_id: str) -> None:
        logger.warning(
            "refresh token reuse detected; session revoked",
            extra={"sessionId": session_id, "userId": user_id},
        )
        self._sessions.delete(session_id)

    def revoke(self, session_id: str) -> None:
        self._sessions.delete(session_id)

    def revoke_all(self, user_id: str, *, keep: str | None = None) -> int:
        """Revoke every session of ``user_id`` except ``keep``; returns how many."""
        ids = [sid for sid in self._sessions.session_ids_of_user(user_id) if sid != keep]
        return self._sessions.delete_many(ids)
