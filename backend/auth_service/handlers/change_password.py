"""POST /users/me/password (Bearer) {currentPassword, newPassword} -> 204.

The user's other sessions are revoked; the session making the request is kept."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.handlers._api import api_handler, principal
from auth_service.handlers._sessions import session_service
from auth_service.http import empty_response, parse_json_body, source_ip
from auth_service.services import deps
from auth_service.services.account import AccountService

SERVICE = AccountService(
    users=deps.users_repository(),
    sessions=session_service(),
    settings=deps.settings(),
    guard=deps.brute_force_guard(),
)


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    user_id, session_id = principal(event)
    SERVICE.change_password(user_id, session_id, parse_json_body(event), source_ip=source_ip(event))
    return empty_response(204)
