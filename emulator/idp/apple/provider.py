"""The local Apple provider's state and rules: codes, grants, revocations, injected faults.

It follows Apple's Sign in with Apple REST API ("Generate and validate tokens", "Revoke tokens"):

- ``authorize`` stands in for the device: an identity token and an authorization code, single use,
  valid 5 minutes, bound to its ``client_id`` (the token's ``aud``) and to the identity;
- ``token`` exchanges a code (``grant_type=authorization_code``) for ``access_token`` (1 hour),
  ``refresh_token`` and ``id_token``, or a refresh token (``grant_type=refresh_token``) for a new
  access token and id token (no new refresh token); errors are OAuth 2.0's (RFC 6749 §5.2), HTTP
  400 ``{"error": "invalid_request" | "invalid_client" | "invalid_grant" | "unsupported_grant_type"}``;
- ``revoke`` (RFC 7009) answers 200 for any token, known or not, and revokes the whole grant (the
  user's authorization of the app, as Apple does): its refresh token no longer refreshes.

Every request is authenticated by its ``client_secret`` (:mod:`.client_secret`). Time comes from
an injectable clock, so expiry is testable without waiting. The app serves requests from a thread
pool: all state is guarded by one lock.
"""

from __future__ import annotations

import hashlib
import secrets
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.idp.apple.client_secret import ClientSecretError, verify_client_secret
from emulator.idp.apple.identity import (
    DEFAULT_EXPIRES_IN_S,
    AuthorizeRequest,
    Identity,
    access_token_hash,
    identity_claims,
    identity_for,
    nonce_digest,
    sign,
)
from emulator.idp.apple.journal import GrantJournal
from emulator.idp.apple.keys import DeveloperKey
from emulator.idp.keys import SigningKey
from emulator.timestamps import iso_utc

CODE_LIFETIME_S = 300  # Apple: "The code is single-use only and valid for five minutes."
ACCESS_TOKEN_LIFETIME_S = 3600
FAULT_KINDS = ("token", "revoke")
_CODE_GRANT_FIELDS = frozenset({"client_id", "client_secret", "grant_type", "code"})
_REFRESH_GRANT_FIELDS = frozenset({"client_id", "client_secret", "grant_type", "refresh_token"})
_REVOKE_FIELDS = frozenset({"client_id", "client_secret", "token", "token_type_hint"})
_TOKEN_TYPE_HINTS = ("refresh_token", "access_token")
_EXPIRED_OR_REVOKED = "The code has expired or has been revoked."


class OAuthError(Exception):
    """An error answer of the token or revoke endpoint: ``{"error", "error_description"}``."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass
class _Code:
    client_id: str
    identity: Identity
    nonce: str  # hashed, as in the identity token
    auth_time: int
    expires_at: float


@dataclass
class _Grant:
    client_id: str
    identity: Identity
    auth_time: int
    revoked: bool = False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token(prefix: str) -> str:
    # Opaque, like Apple's (e.g. "c1a2...0.mrqz.AbC..."): a prefix saying what it is, 256 random bits.
    return f"{prefix}{secrets.token_hex(16)}.0.emu.{secrets.token_urlsafe(16)}"


def _drop_expired(entries: dict[str, Any], now: float, expires_at: Callable[[Any], float]) -> None:
    """Entries are added in expiry order (one fixed lifetime each): drop from the oldest on."""
    while entries:
        oldest = next(iter(entries))
        if expires_at(entries[oldest]) > now:
            return
        del entries[oldest]


class AppleProvider:
    def __init__(
        self,
        signing_key: SigningKey,
        developer_key: DeveloperKey,
        *,
        clock: Callable[[], float] = time.time,
        data_dir: Path | None = None,
    ) -> None:
        self.signing_key = signing_key
        self.developer_key = developer_key
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}  # by code hash
        self._grants: dict[str, _Grant] = {}  # by grant id
        self._refresh_tokens: dict[str, str] = {}  # token hash -> grant id
        self._access_tokens: dict[str, tuple[str, float]] = {}  # token hash -> (grant id, expiry)
        self._revocations: list[dict[str, Any]] = []
        self._faults = dict.fromkeys(FAULT_KINDS, 0)
        self._journal = GrantJournal(data_dir) if data_dir is not None else None
        if self._journal is not None:
            self._replay(self._journal)

    # -- the device ------------------------------------------------------------------------------
    def authorize(self, request: AuthorizeRequest) -> dict[str, str]:
        now = self._clock()
        identity = identity_for(request, self.developer_key.team_id)
        nonce = nonce_digest(request.nonce)
        claims = identity_claims(
            identity,
            audience=request.audience,
            issued_at=int(now),
            expires_in=request.expires_in,
            auth_time=int(now),
            nonce=nonce,
        )
        code = _new_token("c")
        entry = _Code(request.audience, identity, nonce, int(now), now + CODE_LIFETIME_S)
        with self._lock:
            _drop_expired(self._codes, now, lambda c: c.expires_at)
            self._codes[_token_hash(code)] = entry
        # "user": what ASAuthorizationAppleIDCredential.user holds, the same as the token's sub.
        return {
            "identityToken": sign(self.signing_key, claims),
            "authorizationCode": code,
            "user": identity.sub,
        }

    # -- POST /auth/token ------------------------------------------------------------------------
    def token(self, form: Mapping[str, list[str]]) -> dict[str, Any]:
        self._take_fault("token")
        fields = _single_values(form, _CODE_GRANT_FIELDS | _REFRESH_GRANT_FIELDS)
        client_id = self._authenticate(fields)
        grant_type = fields.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is required")
        if grant_type == "authorization_code":
            _only(fields, _CODE_GRANT_FIELDS, grant_type)
            return self._exchange_code(client_id, _required(fields, "code"))
        if grant_type == "refresh_token":
            _only(fields, _REFRESH_GRANT_FIELDS, grant_type)
            return self._refresh(client_id, _required(fields, "refresh_token"))
        raise OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")

    def _exchange_code(self, client_id: str, code: str) -> dict[str, Any]:
        now = self._clock()
        access_token, refresh_token = _new_token("a"), _new_token("r")
        with self._lock:
            # Single use: a code is gone once presented, even if refused below.
            entry = self._codes.pop(_token_hash(code), None)
            if entry is None or entry.expires_at <= now:
                raise OAuthError("invalid_grant", _EXPIRED_OR_REVOKED)
            if entry.client_id != client_id:
                raise OAuthError("invalid_grant", "the code was issued to another client_id")
            grant_id = uuid.uuid4().hex
            self._grants[grant_id] = _Grant(client_id, entry.identity, entry.auth_time)
            self._refresh_tokens[_token_hash(refresh_token)] = grant_id
            access_expiry = self._add_access_token(access_token, grant_id, now)
            self._write(
                {
                    "grant": {
                        "id": grant_id,
                        "clientId": client_id,
                        "sub": entry.identity.sub,
                        "email": entry.identity.email,
                        "isPrivateEmail": entry.identity.is_private_email,
                        "authTime": entry.auth_time,
                        "refreshTokenSha256": _token_hash(refresh_token),
                        "accessTokenSha256": _token_hash(access_token),
                        "accessExpiresAt": access_expiry,
                    }
                }
            )
        id_token = self._id_token(entry.identity, client_id, entry.auth_time, access_token, now, entry.nonce)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME_S,
            "refresh_token": refresh_token,
            "id_token": id_token,
        }

    def _refresh(self, client_id: str, refresh_token: str) -> dict[str, Any]:
        now = self._clock()
        access_token = _new_token("a")
        with self._lock:
            grant_id = self._refresh_tokens.get(_token_hash(refresh_token), "")
            grant = self._grants.get(grant_id)
            if grant is None or grant.revoked:
                raise OAuthError("invalid_grant", "The refresh token is invalid or has been revoked.")
            if grant.client_id != client_id:
                raise OAuthError("invalid_grant", "the refresh token was issued to another client_id")
            access_expiry = self._add_access_token(access_token, grant_id, now)
            self._write(
                {
                    "access": {
                        "grant": grant_id,
                        "tokenSha256": _token_hash(access_token),
                        "expiresAt": access_expiry,
                    }
                }
            )
        id_token = self._id_token(grant.identity, client_id, grant.auth_time, access_token, now, None)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME_S,
            "id_token": id_token,
        }

    def _add_access_token(self, token: str, grant_id: str, now: float) -> float:
        """Caller holds the lock."""
        _drop_expired(self._access_tokens, now, lambda entry: entry[1])
        expires_at = now + ACCESS_TOKEN_LIFETIME_S
        self._access_tokens[_token_hash(token)] = (grant_id, expires_at)
        return expires_at

    def _id_token(
        self,
        identity: Identity,
        client_id: str,
        auth_time: int,
        access_token: str,
        now: float,
        nonce: str | None,
    ) -> str:
        claims = identity_claims(
            identity,
            audience=client_id,
            issued_at=int(now),
            expires_in=DEFAULT_EXPIRES_IN_S,
            auth_time=auth_time,
            nonce=nonce,
            at_hash=access_token_hash(access_token),
        )
        return sign(self.signing_key, claims)

    # -- POST /auth/revoke -----------------------------------------------------------------------
    def revoke(self, form: Mapping[str, list[str]]) -> None:
        self._take_fault("revoke")
        fields = _single_values(form, _REVOKE_FIELDS)
        client_id = self._authenticate(fields)
        token = _required(fields, "token")
        hint = fields.get("token_type_hint")
        if hint is not None and hint not in _TOKEN_TYPE_HINTS:
            raise OAuthError("invalid_request", "token_type_hint must be refresh_token or access_token")
        now = self._clock()
        with self._lock:
            token_type, grant_id = self._find(_token_hash(token), now)
            grant = self._grants.get(grant_id) if grant_id else None
            if grant is not None and grant.client_id != client_id:
                raise OAuthError("invalid_grant", "the token was issued to another client_id")
            record = {
                "sub": grant.identity.sub if grant else None,
                "email": grant.identity.email if grant else None,
                "clientId": client_id,
                "tokenType": token_type,
                "revokedAt": iso_utc(now),
            }
            if grant is not None:
                grant.revoked = True
            self._revocations.append(record)
            self._write({"revocation": {**record, "grant": grant_id}})

    def _find(self, token_hash: str, now: float) -> tuple[str, str | None]:
        """(token type, grant id) of a token; ("unknown", None) if this provider never issued it or
        it expired. RFC 7009's hint only says where to look first: both kinds are looked up here."""
        grant_id = self._refresh_tokens.get(token_hash)
        if grant_id is not None:
            return "refresh_token", grant_id
        access = self._access_tokens.get(token_hash)
        if access is not None and access[1] > now:
            return "access_token", access[0]
        return "unknown", None

    def revocations(self, sub: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._revocations if sub is None or r["sub"] == sub]

    # -- client authentication, faults, journal --------------------------------------------------
    def _authenticate(self, fields: Mapping[str, str]) -> str:
        client_id, client_secret = fields.get("client_id"), fields.get("client_secret")
        if not client_id or not client_secret:
            raise OAuthError("invalid_client", "client_id and client_secret are required")
        try:
            verify_client_secret(
                client_secret, client_id=client_id, key=self.developer_key, now=self._clock()
            )
        except ClientSecretError as exc:
            raise OAuthError("invalid_client", str(exc)) from None
        return client_id

    def set_faults(self, counts: Mapping[str, int]) -> dict[str, int]:
        """The next N calls of each kind answer 503 ``temporarily_unavailable``; 0 clears."""
        with self._lock:
            self._faults.update(counts)
            return dict(self._faults)

    def faults(self) -> dict[str, int]:
        with self._lock:
            return dict(self._faults)

    def _take_fault(self, kind: str) -> None:
        with self._lock:
            if self._faults[kind] <= 0:
                return
            self._faults[kind] -= 1
        raise OAuthError("temporarily_unavailable", f"injected fault ({kind})", status=503)

    def _write(self, record: dict[str, Any]) -> None:
        """Caller holds the lock, so the journal's order is the order things happened in."""
        if self._journal is not None:
            self._journal.append(record)

    def _replay(self, journal: GrantJournal) -> None:
        now = self._clock()
        for record in journal.records():
            try:
                if "grant" in record:
                    grant = record["grant"]
                    identity = Identity(grant["sub"], grant["email"], bool(grant["isPrivateEmail"]))
                    self._grants[grant["id"]] = _Grant(grant["clientId"], identity, int(grant["authTime"]))
                    self._refresh_tokens[grant["refreshTokenSha256"]] = grant["id"]
                    if grant["accessExpiresAt"] > now:
                        self._access_tokens[grant["accessTokenSha256"]] = (
                            grant["id"],
                            grant["accessExpiresAt"],
                        )
                elif "access" in record:
                    access = record["access"]
                    if access["expiresAt"] > now:
                        self._access_tokens[access["tokenSha256"]] = (access["grant"], access["expiresAt"])
                elif "revocation" in record:
                    revocation = dict(record["revocation"])
                    revoked = self._grants.get(revocation.pop("grant", None) or "")
                    if revoked is not None:
                        revoked.revoked = True
                    self._revocations.append(revocation)
            except (KeyError, TypeError, ValueError):
                print(f"warning: {journal.path}: a record of an unknown shape was skipped", file=sys.stderr)


def _single_values(form: Mapping[str, list[str]], allowed: frozenset[str]) -> dict[str, str]:
    """The form's fields, each given once and all known; else ``invalid_request`` naming the field."""
    fields: dict[str, str] = {}
    for name, values in form.items():
        if name not in allowed:
            hint = " (an app's authorization code has none)" if name == "redirect_uri" else ""
            raise OAuthError("invalid_request", f"unsupported parameter {name}{hint}")
        if len(values) != 1:
            raise OAuthError("invalid_request", f"{name} is given more than once")
        fields[name] = values[0]
    return fields


def _only(fields: Mapping[str, str], allowed: frozenset[str], grant_type: str) -> None:
    for name in fields:
        if name not in allowed:
            raise OAuthError("invalid_request", f"{name} is not a parameter of grant_type={grant_type}")


def _required(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name)
    if not value:
        raise OAuthError("invalid_request", f"{name} is required")
    return value
