"""POST /auth/apple: Sign in with Apple (identity token + authorization code + nonce).

The identity token is verified (``apple.AppleTokenVerifier``, nonce included), the authorization
code is exchanged at Apple's token endpoint (its ``id_token`` must name the same subject), and
the Apple refresh token it yields is stored with the user, only to revoke it when the account is
deleted. ``fullName`` is used only when the account is created: Apple sends the name once, at the
first authorization. Then as Google: sign in, safely link, or create (``services.identity_linking``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from auth_service import errors, validation
from auth_service.apple import (
    AppleClient,
    AppleGrantError,
    AppleIdentity,
    AppleTokenVerifier,
    AppleUnavailable,
    apple_unavailable,
)
from auth_service.log import logger
from auth_service.repositories.users import UsersRepository
from auth_service.services.brute_force import BruteForceGuard
from auth_service.services.google_signin import issue_provider_session
from auth_service.services.identity_linking import IdentityLinker, ProviderIdentity, printable
from auth_service.services.sessions import SessionService
from auth_service.users import iso_utc

CREDENTIAL_FIELDS = ("identityToken", "authorizationCode", "nonce")
MAX_NONCE_LENGTH = 256


def parse_apple_credential(body: Mapping[str, Any]) -> tuple[str, str, str]:
    """``(identityToken, authorizationCode, nonce)`` of a sign-in or a deletion's confirmation."""
    identity_token = validation.token_field(body["identityToken"], "identityToken")
    code = validation.token_field(body["authorizationCode"], "authorizationCode")
    nonce = validation.string_field(body["nonce"], "nonce", max_length=MAX_NONCE_LENGTH, min_length=1)
    return identity_token, code, nonce


def parse_full_name(value: Any) -> tuple[str, str]:
    """``fullName`` as the app encodes ``ASAuthorizationAppleIDCredential.fullName``."""
    if value is None:
        return "", ""
    if not isinstance(value, dict):
        raise errors.validation_error("fullName", "must be an object")
    validation.check_fields(value, allowed=("givenName", "familyName"), prefix="fullName.")
    names = []
    for key in ("givenName", "familyName"):
        raw = value.get(key)
        text = "" if raw is None else validation.display_name_field(raw, f"fullName.{key}")
        names.append(printable(text))
    return names[0], names[1]


class AppleCredentialCheck:
    """Verifying a fresh Apple credential: the token (with its nonce), then the code exchange."""

    def __init__(
        self, *, verifier: Callable[[], AppleTokenVerifier], client: Callable[[], AppleClient]
    ) -> None:
        self._verifier = verifier
        self._client = client

    def check(self, identity_token: str, code: str, nonce: str) -> tuple[AppleIdentity, str]:
        """The verified identity and the refresh token the code was exchanged for."""
        identity = self._verifier().verify(identity_token, raw_nonce=nonce)
        try:
            tokens = self._client().exchange_code(identity.audience, code)
        except AppleGrantError:
            raise errors.ApiError(
                401,
                "invalid_authorization_code",
                "The authorization code is used, expired or not this app's.",
            ) from None
        except (AppleUnavailable, ValueError) as exc:
            logger.error("Apple token endpoint unavailable", extra={"error": str(exc)})
            raise apple_unavailable() from None
        exchanged = self._verifier().verify(tokens.id_token, raw_nonce=None)
        if exchanged.sub != identity.sub:
            raise errors.invalid_id_token("The authorization code belongs to another Apple ID.")
        return identity, tokens.refresh_token


class AppleRevocation:
    """Revoking Apple tokens when an account is deleted (App Store Review Guideline 5.1.1(v)).

    A failed call is retried (3 attempts, growing pauses); if Apple still fails, the failure is
    logged — never the token — and the deletion goes on: the user asked to leave, and Apple's
    tokens cannot sign into this service once the account is gone.
    """

    ATTEMPTS = 3

    def __init__(
        self, client: Callable[[], AppleClient], *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._client = client
        self._sleep = sleep

    def revoke_all(self, tokens: list[tuple[str, str]], *, user_id: str) -> int:
        """Revoke each ``(client_id, refresh_token)``; returns how many Apple confirmed."""
        revoked = 0
        for client_id, token in tokens:
            for attempt in range(self.ATTEMPTS):
                try:
                    self._client().revoke(client_id, token)
                    revoked += 1
                    break
                except (AppleUnavailable, AppleGrantError, ValueError) as exc:
                    if attempt + 1 == self.ATTEMPTS:
                        logger.error(
                            "apple token revocation failed; account deleted anyway",
                            extra={"userId": user_id, "error": type(exc).__name__, "attempts": self.ATTEMPTS},
                        )
                    else:
                        self._sleep(0.2 * 2**attempt)
        return revoked


class AppleSignInService:
    def __init__(
        self,
        *,
        users: UsersRepository,
        sessions: SessionService,
        credentials: AppleCredentialCheck,
        guard: BruteForceGuard,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._credentials = credentials
        self._guard = guard
        self._linker = IdentityLinker(users=users, sessions=sessions, clock=clock)
        self._clock = clock

    def sign_in(self, body: Mapping[str, Any], *, source_ip: str) -> dict[str, Any]:
        # Before the token is looked at: a first sign-in creates an account, like a registration.
        self._guard.check_ip("apple", source_ip)
        validation.check_fields(body, allowed=(*CREDENTIAL_FIELDS, "fullName"), required=CREDENTIAL_FIELDS)
        identity_token, code, nonce = parse_apple_credential(body)
        first_name, last_name = parse_full_name(body.get("fullName"))
        identity, refresh_token = self._credentials.check(identity_token, code, nonce)
        email = identity.email if identity.email_verified else None
        if email is not None:
            try:
                validation.email_field(email)
            except errors.ApiError:
                raise errors.invalid_id_token("The identity token's email address is not usable.") from None
        user, is_new = self._linker.find_or_create(
            ProviderIdentity(
                "apple",
                identity.sub,
                email,
                display_name=" ".join(part for part in (first_name, last_name) if part),
                first_name=first_name,
                last_name=last_name,
                attributes={"appleRefreshToken": refresh_token, "appleClientId": identity.audience},
            )
        )
        response = issue_provider_session(self._users, self._sessions, user, now_iso=iso_utc(self._clock()))
        logger.info(
            "apple sign-in",
            extra={"userId": user["userId"], "isNewUser": is_new, "privateEmail": identity.is_private_email},
        )
        return {**response, "isNewUser": is_new}
