"""This service's ES256 signing keys: the private ring and the public one, in two secrets.

The private secret (``SIGNING_KEYS_SECRET_ARN``, read only by the functions that sign)::

    {"keys": [{"kid": "...", "alg": "ES256", "privateKeyPem": "-----BEGIN PRIVATE KEY-----...",
               "createdAt": "2026-11-25T12:00:00Z"}, ...]}

newest first. The public secret (``SIGNING_PUBLIC_KEYS_SECRET_ARN``, what the verifiers — the
authorizer and the JWKS endpoint — read; written by the rotation function) holds the same keys'
public halves as a JWKS whose entries also carry ``createdAt``. A verifier never holds a private
key, so a flaw in one cannot leak the power to mint tokens.

The newest key signs (once it has been listed for a few minutes); every listed key verifies, so
tokens signed just before a rotation stay valid until they expire (15 min). Rotation keeps the
last :data:`KEEP_KEYS`: the current key and the one before it, which is enough for every token
it signed to expire (rotations are 30 days apart). ``kid`` is the RFC 7638 JWK thumbprint.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ALGORITHM = "ES256"
KEEP_KEYS = 2


class KeyFormatError(ValueError):
    """The secret does not hold a usable key list."""


def _b64url_uint(value: int, length: int = 32) -> str:
    return base64.urlsafe_b64encode(value.to_bytes(length, "big")).rstrip(b"=").decode("ascii")


def public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": _b64url_uint(numbers.x), "y": _b64url_uint(numbers.y)}


def thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638: SHA-256 over the required members, lexicographic order, no whitespace."""
    canonical = json.dumps(public_jwk(public_key), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class VerificationKey:
    """The public half of a signing key: all that a verifier holds."""

    kid: str
    public_key: ec.EllipticCurvePublicKey
    created_at: str

    def jwk(self) -> dict[str, str]:
        return {**public_jwk(self.public_key), "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey
    created_at: str

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.private_key.public_key()

    @property
    def verification_key(self) -> VerificationKey:
        return VerificationKey(kid=self.kid, public_key=self.public_key, created_at=self.created_at)

    def jwk(self) -> dict[str, str]:
        return self.verification_key.jwk()


@dataclass(frozen=True)
class PublicKeyRing:
    """The verifiers' view: public keys by kid, newest first."""

    keys: tuple[VerificationKey, ...]

    def get(self, kid: str) -> VerificationKey | None:
        return next((key for key in self.keys if key.kid == kid), None)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.jwk() for key in self.keys]}


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[SigningKey, ...]  # newest first

    @property
    def signing_key(self) -> SigningKey | None:
        return self.keys[0] if self.keys else None

    def active_signing_key(self, now: float, activation_delay_s: float) -> SigningKey | None:
        """The newest key published at least ``activation_delay_s`` ago (else the newest key).

        A freshly rotated key is listed (JWKS, verifier caches) before it signs anything, so
        verifiers that cache the key list for a few minutes never meet an unknown kid.
        """
        for key in self.keys:
            created = _epoch(key.created_at)
            if created is not None and now - created >= activation_delay_s:
                return key
        return self.signing_key

    def get(self, kid: str) -> SigningKey | None:
        return next((key for key in self.keys if key.kid == kid), None)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return self.public().jwks()

    def public(self) -> PublicKeyRing:
        return PublicKeyRing(tuple(key.verification_key for key in self.keys))


def _epoch(stamp: str) -> float | None:
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def _load_key(entry: Mapping[str, Any]) -> SigningKey:
    try:
        private_key = serialization.load_pem_private_key(str(entry["privateKeyPem"]).encode("ascii"), None)
    except (KeyError, ValueError, TypeError) as exc:
        raise KeyFormatError("a key entry has no loadable privateKeyPem") from exc
    if not isinstance(private_key, ec.EllipticCurvePrivateKey) or private_key.curve.name != "secp256r1":
        raise KeyFormatError("signing keys must be EC P-256 (ES256)")
    kid = thumbprint(private_key.public_key())
    if entry.get("kid") not in (None, kid):
        raise KeyFormatError("a key entry's kid does not match its key")
    return SigningKey(kid=kid, private_key=private_key, created_at=str(entry.get("createdAt", "")))


def parse_secret(secret_string: str) -> KeyRing:
    try:
        document = json.loads(secret_string)
    except ValueError as exc:
        raise KeyFormatError("the signing-keys secret is not JSON") from exc
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise KeyFormatError('the signing-keys secret has no "keys" list')
    return KeyRing(tuple(_load_key(entry) for entry in entries if isinstance(entry, dict)))


def new_key_entry(now: datetime | None = None) -> dict[str, str]:
    private_key = ec.generate_private_key(ec.SECP256R1())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    created = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "kid": thumbprint(private_key.public_key()),
        "alg": ALGORITHM,
        "privateKeyPem": pem,
        "createdAt": created,
    }


def rotated_secret(current_entries: Sequence[Mapping[str, Any]], keep: int = KEEP_KEYS) -> str:
    """The next secret value: a fresh key first, then the newest ``keep - 1`` current ones."""
    entries = [new_key_entry(), *[dict(entry) for entry in current_entries][: keep - 1]]
    return json.dumps({"keys": entries})


def secret_entries(secret_string: str | None) -> list[dict[str, Any]]:
    """The raw key entries of a secret value (empty for a missing or blank secret)."""
    if not secret_string:
        return []
    try:
        document = json.loads(secret_string)
    except ValueError:
        return []
    entries = document.get("keys") if isinstance(document, dict) else None
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def public_keys_secret(ring: KeyRing) -> str:
    """The public secret's value for ``ring``: its JWKS, each key with its ``createdAt``."""
    return json.dumps({"keys": [{**key.jwk(), "createdAt": key.created_at} for key in ring.keys]})


def _b64url_int(text: Any) -> int:
    if not isinstance(text, str) or not text:
        raise KeyFormatError("a public key has no x/y coordinate")
    try:
        return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")
    except ValueError as exc:
        raise KeyFormatError("a public key's coordinate is not base64url") from exc


def _load_public_key(entry: Mapping[str, Any]) -> VerificationKey:
    if (entry.get("kty"), entry.get("crv"), entry.get("alg", ALGORITHM)) != ("EC", "P-256", ALGORITHM):
        raise KeyFormatError("public keys must be EC P-256 (ES256)")
    try:
        numbers = ec.EllipticCurvePublicNumbers(
            _b64url_int(entry.get("x")), _b64url_int(entry.get("y")), ec.SECP256R1()
        )
        public_key = numbers.public_key()
    except ValueError as exc:
        raise KeyFormatError("a public key is not a point of P-256") from exc
    kid = thumbprint(public_key)
    if entry.get("kid") != kid:
        raise KeyFormatError("a public key's kid does not match the key")
    return VerificationKey(kid=kid, public_key=public_key, created_at=str(entry.get("createdAt", "")))


def parse_public_keys(secret_string: str) -> PublicKeyRing:
    """The public secret's value (see :func:`public_keys_secret`) as a ring."""
    try:
        document = json.loads(secret_string)
    except ValueError as exc:
        raise KeyFormatError("the public-keys secret is not JSON") from exc
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise KeyFormatError('the public-keys secret has no "keys" list')
    return PublicKeyRing(tuple(_load_public_key(entry) for entry in entries if isinstance(entry, dict)))


def without_key(current_entries: Sequence[Mapping[str, Any]], kid: str) -> str:
    """The next private secret value with ``kid`` retired; a fresh key if none would be left."""
    entries = [dict(entry) for entry in current_entries if entry.get("kid") != kid]
    return json.dumps({"keys": entries or [new_key_entry()]})
