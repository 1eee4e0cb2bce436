"""Sign in with Apple: the identity token, the client secret, and Apple's token and revoke endpoints.

Apple's documentation ("Authenticating users with Sign in with Apple", "Sign in with Apple REST
API"): the app gets an identity token (RS256 JWT, keys at ``https://appleid.apple.com/auth/keys``)
and a single-use authorization code. The server

- verifies the identity token: RS256 only with a ``kid`` of Apple's JWKS; ``iss`` is
  ``https://appleid.apple.com``; ``aud`` is one of the app's bundle ids; ``exp``; and its ``nonce``
  is the SHA-256 (hex) of the raw nonce the app generated (it set that hash on the request), which
  binds the token to this sign-in. ``email_verified`` and ``is_private_email`` come as strings
  (``"true"``) or booleans; a private-relay address is an ordinary, verified email;
- exchanges the code at ``/auth/token`` with a **client secret**: an ES256 JWT signed with the
  Sign in with Apple key (``kid`` = key id; ``iss`` = team id, ``sub`` = the client id, ``aud`` =
  ``https://appleid.apple.com``, at most 6 months long), which yields Apple's refresh token — kept
  only to revoke it at ``/auth/revoke`` when the account is deleted (App Store Review Guideline
  5.1.1(v)).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from auth_service.errors import ApiError, invalid_id_token
from auth_service.jwks import KeyResolver, decode_provider_token

APPLE_ISSUER = "https://appleid.apple.com"
CLIENT_SECRET_TTL_S = 300  # Apple allows up to 6 months; a fresh short-lived one per call is safer
MAX_SUB_LENGTH = 255


class AppleUnavailable(Exception):
    """Apple's endpoint could not be reached, or answered 5xx (a server-side problem)."""


class AppleGrantError(Exception):
    """Apple refused the authorization code (``invalid_grant``): used, expired or not this app's."""


@dataclass(frozen=True)
class AppleIdentity:
    sub: str
    email: str | None  # normalised; None when the token carries none
    email_verified: bool
    is_private_email: bool
    audience: str  # the client id (bundle id) the token was issued to


def nonce_hash(raw_nonce: str) -> str:
    """What the app sets as the request's nonce, and what comes back in the token: SHA-256, hex."""
    return hashlib.sha256(raw_nonce.encode("utf-8")).hexdigest()


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


class AppleTokenVerifier:
    def __init__(self, *, resolve_key: KeyResolver, audiences: Sequence[str]) -> None:
        self._resolve_key = resolve_key
        self._audiences = tuple(audiences)

    def verify(self, identity_token: str, *, raw_nonce: str | None) -> AppleIdentity:
        """The identity in a verified token; ``raw_nonce`` None skips the nonce (Apple's token endpoint)."""
        if not self._audiences:
            raise invalid_id_token("Sign in with Apple is not configured.")
        claims = decode_provider_token(
            identity_token,
            resolve_key=self._resolve_key,
            issuers=APPLE_ISSUER,
            audiences=self._audiences,
            what="The identity token",
        )
        if raw_nonce is not None:
            expected = nonce_hash(raw_nonce)
            if not hmac.compare_digest(str(claims.get("nonce", "")), expected):
                raise invalid_id_token("The identity token's nonce does not match this sign-in.")
        return _identity(claims)


def _identity(claims: dict[str, Any]) -> AppleIdentity:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUB_LENGTH:
        raise invalid_id_token("The identity token has no subject.")
    email = claims.get("email")
    email = email.strip().lower() if isinstance(email, str) and "@" in email else None
    aud = claims["aud"]
    return AppleIdentity(
        sub=sub,
        email=email,
        email_verified=_flag(claims.get("email_verified")),
        is_private_email=_flag(claims.get("is_private_email")),
        audience=aud if isinstance(aud, str) else str(aud[0]),
    )


@dataclass(frozen=True)
class AppleCredentials:
    """The Sign in with Apple key (an Apple developer account's .p8) and its team: from Secrets Manager."""

    team_id: str
    key_id: str
    private_key: ec.EllipticCurvePrivateKey

    @classmethod
    def from_secret(cls, secret_string: str | None) -> AppleCredentials:
        """From ``{"teamId", "keyId", "privateKeyPem"}``; a ValueError names what is missing."""
        try:
            document = json.loads(secret_string or "")
        except ValueError as exc:
            raise ValueError("the Sign in with Apple secret is not JSON") from exc
        if not isinstance(document, dict):
            raise ValueError("the Sign in with Apple secret is not a JSON object")
        team_id, key_id, pem = document.get("teamId"), document.get("keyId"), document.get("privateKeyPem")
        if not all(isinstance(v, str) and v for v in (team_id, key_id, pem)):
            raise ValueError('the Sign in with Apple secret needs "teamId", "keyId" and "privateKeyPem"')
        private_key = serialization.load_pem_private_key(str(pem).encode("ascii"), None)
        if not isinstance(private_key, ec.EllipticCurvePrivateKey):
            raise ValueError("the Sign in with Apple key must be an EC P-256 key (.p8)")
        return cls(team_id=str(team_id), key_id=str(key_id), private_key=private_key)

    def client_secret(self, client_id: str, *, now: int) -> str:
        claims = {
            "iss": self.team_id,
            "iat": now,
            "exp": now + CLIENT_SECRET_TTL_S,
            "aud": APPLE_ISSUER,
            "sub": client_id,
        }
        return jwt.encode(claims, self.private_key, algorithm="ES256", headers={"kid": self.key_id})


@dataclass(frozen=True)
class AppleTokens:
    refresh_token: str
    id_token: str


class AppleClient:
    """Apple's token and revoke endpoints, form-encoded as Apple documents them."""

    def __init__(
        self,
        *,
        token_url: str,
        revoke_url: str,
        credentials: Callable[[], AppleCredentials],
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._token_url = token_url
        self._revoke_url = revoke_url
        self._credentials = credentials
        self._timeout_s = timeout_s
        self._clock = clock

    def _post(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        if not url.startswith(("https://", "http://")):
            raise AppleUnavailable("not an http(s) URL")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=urllib.parse.urlencode(form).encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            error = _error_code(exc)
            if exc.code == 400 and error == "invalid_grant":
                raise AppleGrantError(error) from None
            raise AppleUnavailable(f"HTTP {exc.code} {error}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise AppleUnavailable(type(exc).__name__) from None
        try:
            return json.loads(body) if body.strip() else {}
        except ValueError:
            raise AppleUnavailable("the answer is not JSON") from None

    def _secret_form(self, client_id: str) -> dict[str, str]:
        secret = self._credentials().client_secret(client_id, now=int(self._clock()))
        return {"client_id": client_id, "client_secret": secret}

    def exchange_code(self, client_id: str, code: str) -> AppleTokens:
        form = {**self._secret_form(client_id), "code": code, "grant_type": "authorization_code"}
        answer = self._post(self._token_url, form)
        refresh_token, id_token = answer.get("refresh_token"), answer.get("id_token")
        if not isinstance(refresh_token, str) or not isinstance(id_token, str):
            raise AppleUnavailable("the token answer lacks refresh_token or id_token")
        return AppleTokens(refresh_token=refresh_token, id_token=id_token)

    def revoke(self, client_id: str, token: str, *, token_type_hint: str = "refresh_token") -> None:  # noqa: S107
        form = {**self._secret_form(client_id), "token": token, "token_type_hint": token_type_hint}
        self._post(self._revoke_url, form)


def _error_code(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read()).get("error", ""))
    except (ValueError, AttributeError, OSError):
        return ""


def apple_unavailable() -> ApiError:
    return ApiError(503, "apple_unavailable", "Sign in with Apple is unavailable right now; try again.")
