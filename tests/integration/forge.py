"""Forged and tampered JWTs for the attack tests (built by hand: libraries refuse to make them)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def split(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header_b64, payload_b64, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    header = json.loads(base64.urlsafe_b64decode(pad(header_b64)))
    payload = json.loads(base64.urlsafe_b64decode(pad(payload_b64)))
    return header, payload, signature


def unsigned(token: str, alg: str = "none") -> str:
    """The same claims with ``alg: none`` (or a case variant) and an empty signature."""
    header, payload, _ = split(token)
    return f"{b64url_json({**header, 'alg': alg})}.{b64url_json(payload)}."


def hs256_with_secret(token: str, secret: bytes) -> str:
    """Algorithm confusion: HS256 keyed with something public (the verifier's public key)."""
    header, payload, _ = split(token)
    signing_input = f"{b64url_json({**header, 'alg': 'HS256'})}.{b64url_json(payload)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def public_key_secrets(jwk: dict[str, Any]) -> list[bytes]:
    """The forms in which a confused verifier might use a public key as an HMAC secret."""
    key = jwt.PyJWK.from_dict(jwk).key
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return [pem, pem.strip(), der, json.dumps(jwk).encode()]


def tampered_payload(token: str, **changes: Any) -> str:
    """Claims changed, the original header and signature kept."""
    header_b64, _, signature = token.split(".")
    _, payload, _ = split(token)
    return f"{header_b64}.{b64url_json({**payload, **changes})}.{signature}"


def resigned_es256(token: str, *, kid: str | None = None, **changes: Any) -> str:
    """The claims (optionally changed) signed by a fresh P-256 key under the original (or given) kid."""
    header, payload, _ = split(token)
    other_key = ec.generate_private_key(ec.SECP256R1())
    headers = {"kid": kid if kid is not None else header.get("kid"), "typ": "JWT"}
    return jwt.encode({**payload, **changes}, other_key, algorithm="ES256", headers=headers)


def resigned_rs256(token: str, *, kid: str | None = None, **changes: Any) -> str:
    """The claims signed by a fresh RSA key under the original (or given) kid."""
    header, payload, _ = split(token)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers = {"kid": kid if kid is not None else header.get("kid"), "typ": "JWT"}
    return jwt.encode({**payload, **changes}, other_key, algorithm="RS256", headers=headers)
