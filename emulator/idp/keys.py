"""The identity provider's RSA signing key, and its public half as a JWKS.

Google signs Firebase ID tokens with RSA-2048 keys (RS256) and publishes the public keys,
each with a ``kid``, at a JWKS URL. The local provider does the same with one key pair:
generated on first use, kept in ``DATA_DIR/idp/signing-key.pem`` when a data directory is
given (so tokens minted before a restart still verify), else only in memory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.errors import UserError

KEY_FILE_NAME = "signing-key.pem"


def _b64url_uint(value: int) -> str:
    """Base64url (no padding) of an unsigned big-endian integer, as RFC 7518 §6.3.1 encodes n and e."""
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    """An RSA private key with the ``kid`` under which its public half is published."""

    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def from_private_key(cls, private_key: rsa.RSAPrivateKey) -> SigningKey:
        return cls(private_key=private_key, kid=_thumbprint(private_key.public_key()))

    def public_jwk(self) -> dict[str, str]:
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "kid": self.kid,
            "alg": "RS256",
            "use": "sig",
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk()]}

    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )


def _thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint: a stable ``kid`` derived from the key itself (hex, like Google's kids)."""
    numbers = public_key.public_numbers()
    canonical = json.dumps(
        {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)},
        separators=(",", ":"),
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:40]


def generate_signing_key() -> SigningKey:
    return SigningKey.from_private_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def load_or_create_signing_key(data_dir: Path | None, *, file_name: str = KEY_FILE_NAME) -> SigningKey:
    """The persisted key ``data_dir/idp/file_name``, created there if missing; a fresh one if no data dir."""
    if data_dir is None:
        return generate_signing_key()
    key_path = Path(data_dir) / "idp" / file_name
    if key_path.exists():
        try:
            private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise UserError(
                f"{key_path}: not a usable PEM private key ({exc}); delete it to get a new one"
            ) from exc
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise UserError(f"{key_path}: the identity provider needs an RSA key; delete it to get a new one")
        return SigningKey.from_private_key(private_key)
    key = generate_signing_key()
    write_private_file(key_path, key.private_pem())
    return key


def write_private_file(path: Path, content: bytes) -> None:
    """Write a private key file: owner-only (0600, even for a test key), never half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written to a temp file then renamed, so that a crash never leaves half a key behind.
    tmp_path = path.with_suffix(".tmp")
    fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.replace(tmp_path, path)
