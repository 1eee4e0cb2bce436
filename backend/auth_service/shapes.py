"""Response bodies shared by several endpoints (docs/openapi.yaml: TokenResponse, Session)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auth_service.users import iso_utc, safe_user

TOKEN_TYPE = "Bearer"  # noqa: S105 - the OAuth token_type, not a secret


def session_view(session_id: str, expires_at: int) -> dict[str, str]:
    return {"sessionId": session_id, "expiresAt": iso_utc(expires_at)}


def token_response(
    *,
    user: Mapping[str, Any],
    access_token: str,
    refresh_token: str,
    expires_in: int,
    session_id: str,
    session_expires_at: int,
) -> dict[str, Any]:
    return {
        "user": safe_user(user),
        "accessToken": access_token,
        "refreshToken": refresh_token,
        "tokenType": TOKEN_TYPE,
        "expiresIn": expires_in,
        "session": session_view(session_id, session_expires_at),
    }
