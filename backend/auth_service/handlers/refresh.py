"""POST /auth/refresh {refreshToken} -> 200 token response with a rotated refresh token."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service import validation
from auth_service.handlers._api import api_handler
from auth_service.handlers._sessions import signing_session_service
from auth_service.http import json_response, parse_json_body

SESSIONS = signing_session_service()


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    body = parse_json_body(event)
    validation.check_fields(body, allowed=("refreshToken",), required=("refreshToken",))
    token = validation.token_field(body["refreshToken"], "refreshToken")
    return json_response(200, SESSIONS.refresh(token))
