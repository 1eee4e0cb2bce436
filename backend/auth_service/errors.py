"""The one error shape of the API: ``{"error": {"code", "message", "details"?}}``.

Services raise :class:`ApiError`; the handler wrapper turns it into the HTTP response. Any
other exception becomes a generic 500 ``internal_error`` whose body never carries the
exception's text (the seed leaked ``error.message`` to clients).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ApiError(Exception):
    """An expected failure with an HTTP status and a stable snake_case code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = dict(details) if details else None
        self.headers = dict(headers) if headers else {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def validation_error(field: str, reason: str) -> ApiError:
    return ApiError(
        400,
        "validation_error",
        f"Invalid field '{field}': {reason}",
        details={"field": field, "reason": reason},
    )


def weak_password(field: str, reason: str) -> ApiError:
    return ApiError(400, "weak_password", reason, details={"field": field, "reason": reason})


def invalid_json() -> ApiError:
    return ApiError(400, "invalid_json", "The request body is not valid JSON.")


def unsupported_media_type() -> ApiError:
    return ApiError(415, "unsupported_media_type", "The request body must be sent as application/json.")


def email_taken() -> ApiError:
    return ApiError(
        409, "email_taken", "An account with this email already exists.", details={"field": "email"}
    )


def invalid_credentials() -> ApiError:
    return ApiError(401, "invalid_credentials", "The email or password is incorrect.")


def wrong_current_password() -> ApiError:
    # 403, not 401: the access token is fine (a client that refreshes on 401 must not refresh
    # because the user mistyped a password); only the password re-entered to confirm was wrong.
    return ApiError(403, "invalid_credentials", "The password is incorrect.")


# RFC 6750 §3: a refused bearer token's 401 carries the challenge; the template's UNAUTHORIZED
# gateway response sends the same header and body when the authorizer refuses.
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "Authentication is required.", headers=BEARER_CHALLENGE)


def invalid_refresh_token() -> ApiError:
    return ApiError(401, "invalid_refresh_token", "The refresh token is invalid or expired.")


def refresh_token_reused() -> ApiError:
    return ApiError(
        401, "refresh_token_reused", "This refresh token was already used; the session has been revoked."
    )


def invalid_id_token(reason: str = "The ID token could not be verified.") -> ApiError:
    return ApiError(401, "invalid_id_token", reason)


def invalid_code() -> ApiError:
    # One shape for a wrong, expired, used or replaced code: the answer tells an attacker nothing.
    return ApiError(400, "invalid_code", "The code is wrong or has expired; ask for a new one.")


def email_not_verified() -> ApiError:
    return ApiError(403, "email_not_verified", "Confirm your email address first (see the code we sent).")


def already_verified() -> ApiError:
    return ApiError(409, "email_already_verified", "This email address is already confirmed.")


def email_unavailable() -> ApiError:
    return ApiError(503, "email_unavailable", "The email could not be sent right now; try again later.")


def not_found(what: str = "resource") -> ApiError:
    return ApiError(404, "not_found", f"The {what} does not exist.")


def too_many_requests(code: str, message: str, retry_after_s: int) -> ApiError:
    retry_after_s = max(1, int(retry_after_s))
    return ApiError(
        429,
        code,
        message,
        details={"retryAfterSeconds": retry_after_s},
        headers={"Retry-After": str(retry_after_s)},
    )


def account_locked(retry_after_s: int) -> ApiError:
    return too_many_requests(
        "account_locked", "Too many failed sign-in attempts; try again later.", retry_after_s
    )


def rate_limited(retry_after_s: int) -> ApiError:
    return too_many_requests("rate_limited", "Too many requests; try again later.", retry_after_s)


def internal_error() -> ApiError:
    return ApiError(500, "internal_error", "An internal error occurred.")
