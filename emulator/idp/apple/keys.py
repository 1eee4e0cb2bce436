"""The local Apple provider's two keys.

- Its **signing key**: Apple signs identity tokens with RSA keys (RS256) published at
  ``https://appleid.apple.com/auth/keys``. The local provider has an RSA key of its own (not the
  Google provider's), kept in ``DATA_DIR/idp/apple-signing-key.pem``.
- The **developer key**: what a developer downloads from Apple's portal to talk to the REST API
  (Certificates, Identifiers & Profiles > Keys, "Sign in with Apple"): a 10-character key id, the
  team's 10-character id and an ES256 (P-256) private key as a PKCS#8 ``.p8`` file. The backend
  signs its ``client_secret`` JWTs with it; the provider checks them against it. Kept in
  ``DATA_DIR/idp/apple-developer-key.json`` in the shape serve publishes to Secrets Manager.

Without a data directory both live in memory only, one pair per provider.
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from emulator.errors import UserError
from emulator.idp.keys import SigningKey, load_or_create_signing_key, write_private_file

SIGNING_KEY_FILE_NAME = "apple-signing-key.pem"
DEVELOPER_KEY_FILE_NAME = "apple-developer-key.json"
# Apple's team ids and key ids: 10 characters, upper-case letters and digits.
_ID_ALPHABET = string.ascii_uppercase + string.digits
ID_LENGTH = 10


def load_or_create_apple_signing_key(data_dir: Path | None) -> SigningKey:
    return load_or_create_signing_key(data_dir, file_name=SIGNING_KEY_FILE_NAME)


def _random_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(ID_LENGTH))


def is_apple_id(value: object) -> bool:
    """A team id or key id: 10 upper-case letters and digits."""
    return isinstance(value, str) and len(value) == ID_LENGTH and all(c in _ID_ALPHABET for c in value)


@dataclass(frozen=True)
class DeveloperKey:
    """A "Sign in with Apple" key as the developer portal hands it out, with the team it belongs to."""

    team_id: str
    key_id: str
    private_key: ec.EllipticCurvePrivateKey

    def private_pem(self) -> str:
        """PKCS#8 PEM, the format of Apple's ``AuthKey_<KEYID>.p8`` downloads."""
        return self.private_key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        ).decode("ascii")

    def document(self) -> dict[str, str]:
        """``{"teamId", "keyId", "privateKeyPem"}``: the file's content and the published secret's."""
        return {"teamId": self.team_id, "keyId": self.key_id, "privateKeyPem": self.private_pem()}

    @classmethod
    def from_document(cls, document: Any) -> DeveloperKey:
        """The key from :meth:`document`'s shape; ValueError naming what is wrong."""
        if not isinstance(document, dict):
            raise ValueError("expected a JSON object with teamId, keyId and privateKeyPem")
        team_id, key_id, pem = document.get("teamId"), document.get("keyId"), document.get("privateKeyPem")
        if not is_apple_id(team_id) or not is_apple_id(key_id):
            raise ValueError("teamId and keyId must each be 10 upper-case letters or digits")
        if not isinstance(pem, str):
            raise ValueError("privateKeyPem must be a PEM string")
        try:
            private_key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        except (ValueError, TypeError, UnicodeEncodeError) as exc:
            raise ValueError(f"privateKeyPem is not a usable PEM private key ({exc})") from None
        if not isinstance(private_key, ec.EllipticCurvePrivateKey) or private_key.curve.name != "secp256r1":
            raise ValueError("privateKeyPem must be a P-256 (ES256) key, as Apple's are")
        return cls(team_id=str(team_id), key_id=str(key_id), private_key=private_key)


def generate_developer_key() -> DeveloperKey:
    return DeveloperKey(
        team_id=_random_id(), key_id=_random_id(), private_key=ec.generate_private_key(ec.SECP256R1())
    )


def load_or_create_developer_key(data_dir: Path | None) -> DeveloperKey:
    """The key in ``data_dir/idp/apple-developer-key.json``, created if missing; a new one if no data dir."""
    if data_dir is None:
        return generate_developer_key()
    path = Path(data_dir) / "idp" / DEVELOPER_KEY_FILE_NAME
    if path.exists():
        try:
            return DeveloperKey.from_document(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise UserError(f"{path}: {exc}; delete it to get a new developer key") from None
    key = generate_developer_key()
    write_private_file(path, json.dumps(key.document(), indent=2).encode("utf-8"))
    return key
