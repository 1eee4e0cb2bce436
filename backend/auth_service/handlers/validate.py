"""GET /auth/validate (Bearer) -> 200 {user, session}.

The authorizer already verified the JWT and read the session (1 DynamoDB GetItem); this
handler reads the user (the 2nd and last one).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service import errors
from auth_service.handlers._api import api_handler, principal
from auth_service.http import authorizer_context, json_response
from auth_service.services import deps
from auth_service.shapes import session_view
from auth_service.users import safe_user

USERS = deps.users_repository()


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    user_id, session_id = principal(event)
    user = USERS.get(user_id)
    if user is None:
        raise errors.unauthorized()
    try:
        expires_at = int(str(authorizer_context(event).get("sessionExpiresAt")))
    except ValueError:
        raise errors.unauthorized() from None
    return json_response(200, {"user": safe_user(user), "session": session_view(session_id, expires_at)})
