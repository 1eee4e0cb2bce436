"""The API's TOKEN Lambda authorizer (``BearerAuthorizer``).

Allow iff the Bearer JWT verifies (ES256 pinned, kid known, iss/aud/exp) AND its session still
exists and has not expired — one consistent GetItem, so logout and refresh-token reuse revoke
access tokens at once (results are not cached: ``ReauthorizeEvery: 0``). Any refusal raises
``Exception("Unauthorized")``, which API Gateway turns into its own 401.

With ``REQUIRE_VERIFIED_EMAIL=true`` the user is read with the session (one TransactGetItems), and
the context says whether the email is verified *now* (not when the token was minted), for the
handlers to refuse unverified users (``_api.principal``).
"""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.log import logger
from auth_service.policy import allow_policy, bearer_token
from auth_service.repositories.dynamodb import get_items, plain
from auth_service.repositories.sessions import session_expires_at
from auth_service.services import deps
from auth_service.tokens import InvalidAccessToken, verify_access_token

SETTINGS = deps.settings()
KEYS = deps.verification_key_cache()
SESSIONS = deps.sessions_repository()
USERS = deps.users_repository() if SETTINGS.require_verified_email else None


def _session_and_user(session_id: str, user_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if USERS is None:
        return SESSIONS.get(session_id), None
    session, user = get_items([SESSIONS.ref(session_id), USERS.ref(user_id)])
    session = plain(session) if session and "userId" in session else None
    return session, plain(user) if user else None


def _deny(reason: str) -> Exception:
    logger.info("authorization refused", extra={"reason": reason})
    return Exception("Unauthorized")  # the exact message API Gateway maps to 401


@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    token = bearer_token(event.get("authorizationToken"))
    if token is None:
        raise _deny("no bearer token")
    try:
        claims = verify_access_token(
            token, find_key=KEYS.find, issuer=SETTINGS.token_issuer, audience=SETTINGS.token_audience
        )
    except InvalidAccessToken as error:
        raise _deny(f"invalid token: {error}") from None
    session, user = _session_and_user(claims.session_id, claims.user_id)
    if session is None or session.get("userId") != claims.user_id:
        raise _deny("session revoked")
    expires_at = session_expires_at(session)
    if expires_at <= time.time():
        raise _deny("session expired")  # TTL deletion lags; expiry is enforced here
    context: dict[str, str | int | bool] = {
        "userId": claims.user_id,
        "sessionId": claims.session_id,
        "sessionExpiresAt": expires_at,
    }
    if USERS is not None:
        context["emailVerified"] = bool(user and user.get("emailVerified"))
    return allow_policy(
        principal_id=claims.user_id, method_arn=str(event.get("methodArn", "")), context=context
    )
