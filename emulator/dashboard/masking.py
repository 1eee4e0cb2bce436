"""Secrets masked in what the dashboard shows, unless the user asks to see them (``?reveal=1``).

This is a local tool, but screenshots travel: credentials are masked by default wherever they
appear in a request's record -- headers (``Authorization``, ``Cookie``...), fields of JSON bodies
named like a password, token, secret or code, JWTs anywhere (a response's tokens, a log line).
"""

from __future__ import annotations

import json
import re
from typing import Any

MASK = "••••••••"
# Key names whose values are secrets: headers (Authorization, Cookie, X-Api-Key,
# X-Amz-Security-Token) and JSON fields (password, accessToken, client_secret, code, otp...).
_SENSITIVE_KEY = re.compile(
    r"password|passwd|passphrase|secret|token|authori[sz]ation|cookie|api[-_]?key|credential"
    r"|private[-_]?key|signature|^pin$|^otp$|(^|[-_])code$"
    r"|^(verification|reset|auth|authorization|confirmation|login|one[-_]?time|mfa)[-_]?code$",
    re.IGNORECASE,
)
# A JWT (header.payload.signature, base64url): ID tokens, access tokens, wherever they appear.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_AUTH_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9-]*) +\S")  # "Bearer xyz" keeps "Bearer"


def is_sensitive(key: str) -> bool:
    return _SENSITIVE_KEY.search(key) is not None


def mask_value(value: Any) -> Any:
    """A sensitive value masked: a string keeps only its auth scheme; null stays null."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list):
        return [mask_value(item) for item in value]
    if isinstance(value, dict):
        return {key: mask_value(item) for key, item in value.items()}
    if isinstance(value, str):
        scheme = _AUTH_SCHEME.match(value)
        return f"{scheme.group(1)} {MASK}" if scheme else MASK
    return MASK


def mask_text(text: str) -> str:
    """Free text (a log line, a non-JSON body): the JWTs in it masked."""
    return _JWT.sub(MASK, text)


def mask_json_text(text: str) -> str:
    """A body: if it is JSON, its sensitive fields masked; else its JWTs."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return mask_text(text)
    if not isinstance(parsed, dict | list):
        return mask_text(text)
    return json.dumps(mask_tree(parsed), indent=2, ensure_ascii=False)


def mask_tree(value: Any) -> Any:
    """A JSON-like tree with the values of sensitive keys masked; a JSON string under ``body`` is
    masked as a body; JWTs in any string masked."""
    if isinstance(value, dict):
        masked: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, str) and is_sensitive(key):
                masked[key] = mask_value(item)
            elif key == "body" and isinstance(item, str):
                masked[key] = mask_json_text(item)
            else:
                masked[key] = mask_tree(item)
        return masked
    if isinstance(value, list):
        return [mask_tree(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


def mask_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, mask_value(value) if is_sensitive(name) else mask_text(value)) for name, value in headers]
