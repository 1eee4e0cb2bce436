"""GET /users/me (Bearer) -> 200 {user}."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.handlers._api import api_handler, principal
from auth_service.http import json_response
from auth_service.services import deps
from auth_service.services.account import AccountService

SERVICE = AccountService(users=deps.users_repository(), sessions=None, settings=deps.settings())


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    user_id, _ = principal(event)
    return json_response(200, {"user": SERVICE.get(user_id)})
