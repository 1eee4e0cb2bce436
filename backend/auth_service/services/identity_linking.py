"""Signing in with an identity provider (Google, Apple): find, safely link, or create the user.

1. a user holds the claim ``<provider>#<sub>`` -> that user;
2. else a user holds ``email#<the provider's verified email>``:
   - if that account's email is **verified**, the provider is linked to it;
   - if it is not, the verified owner wins (as Firebase does): in one transaction the account's
     password is removed, its session generation raised and the provider linked; then every session
     of the account is revoked. Whoever registered the address without owning it (the
     pre-account-takeover attack) keeps neither a password nor a session;
3. else a new user holding both claims (``isNewUser``).
A lost race on a claim (two first sign-ins at once, or a verification landing meanwhile) is
retried once: the loser then finds the winner's state.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auth_service import errors, validation
from auth_service.log import logger
from auth_service.repositories.users import ClaimTaken, UsersRepository, email_claim, provider_claim
from auth_service.services.sessions import SessionService
from auth_service.users import iso_utc, new_user_item


@dataclass(frozen=True)
class ProviderIdentity:
    provider: str  # "google" | "apple"
    sub: str
    email: str | None  # verified by the provider, normalised; None when the provider gave none
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    # Private attributes stored with the link, e.g. Apple's refresh token (kept to revoke it).
    attributes: Mapping[str, Any] = field(default_factory=dict)


def printable(text: str, limit: int = validation.MAX_NAME_LENGTH) -> str:
    """A provider-given name without control/format characters (it is user-chosen), bounded."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))[:limit].strip()


class IdentityLinker:
    def __init__(
        self, *, users: UsersRepository, sessions: SessionService, clock: Callable[[], float] = time.time
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._clock = clock

    def find_or_create(self, identity: ProviderIdentity) -> tuple[dict[str, Any], bool]:
        for _attempt in range(2):
            try:
                return self._find_or_create(identity)
            except ClaimTaken:
                continue
        raise errors.internal_error()

    def _find_or_create(self, identity: ProviderIdentity) -> tuple[dict[str, Any], bool]:
        provider, sub_attribute = identity.provider, f"{identity.provider}Sub"
        user_id = self._users.user_id_for_claim(provider_claim(provider, identity.sub))
        user = self._users.get(user_id) if user_id else None
        if user is not None:
            if identity.attributes:
                self._users.set_attributes(str(user["userId"]), identity.attributes)
            return {**user, **identity.attributes}, False
        if identity.email is None:
            raise errors.invalid_id_token("The identity token carries no email address.")
        now = self._clock()
        user_id = self._users.user_id_for_claim(email_claim(identity.email))
        user = self._users.get(user_id) if user_id else None
        if user is not None:
            if user.get(sub_attribute) and user[sub_attribute] != identity.sub:
                # the email's account is linked to another subject of this provider: never relink
                raise errors.invalid_id_token(
                    f"This email is linked to a different {provider.title()} account."
                )
            evict = not user.get("emailVerified")
            self._users.link_provider(
                user,
                provider,
                identity.sub,
                iso_utc(now),
                evict_unverified=evict,
                attributes=identity.attributes,
            )
            if evict:
                revoked = self._sessions.revoke_all(str(user["userId"]))
                logger.warning(
                    "unverified account taken over by the verified email's owner: password removed, "
                    "sessions revoked",
                    extra={"userId": user["userId"], "provider": provider, "revokedSessions": revoked},
                )
            linked = self._users.get(str(user["userId"]))
            if linked is None:
                raise ClaimTaken
            return linked, False
        profile = {"firstName": identity.first_name, "lastName": identity.last_name}
        user = new_user_item(
            email=identity.email,
            display_name=identity.display_name,
            now=now,
            email_verified=True,
            profile={key: value for key, value in profile.items() if value},
            **{f"{provider}_sub": identity.sub},
        )
        user.update(identity.attributes)
        self._users.create(user, [email_claim(identity.email), provider_claim(provider, identity.sub)])
        return user, True
