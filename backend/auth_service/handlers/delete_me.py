"""DELETE /users/me (Bearer) {password} | {idToken} | {identityToken, authorizationCode, nonce} -> 204.

The user, its claims and sessions are gone, and its Apple tokens revoked first. In-app account
deletion, and the revocation of Sign in with Apple tokens, are required by App Store Review
Guideline 5.1.1(v)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.handlers._api import api_handler, principal
from auth_service.handlers._sessions import session_service
from auth_service.http import empty_response, parse_json_body, source_ip
from auth_service.services import deps
from auth_service.services.account import AccountService
from auth_service.services.apple_signin import AppleRevocation

SERVICE = AccountService(
    users=deps.users_repository(),
    sessions=session_service(),
    settings=deps.settings(),
    guard=deps.brute_force_guard(),
    google_verifier=deps.google_verifier,
    apple_check=deps.apple_credential_check,
    apple_revocation=AppleRevocation(deps.apple_client),
)


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    user_id, session_id = principal(event, allow_unverified=True)
    SERVICE.delete(user_id, parse_json_body(event), source_ip=source_ip(event), current_session_id=session_id)
    return empty_response(204)
