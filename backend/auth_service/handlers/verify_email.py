"""POST /auth/email/verify (Bearer) {code} -> 200 {user} with emailVerified true."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.handlers._api import api_handler, principal
from auth_service.handlers._verification import verification_service
from auth_service.http import json_response, parse_json_body

SERVICE = verification_service()


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    user_id, _session_id = principal(event, allow_unverified=True)
    return json_response(200, {"user": SERVICE.verify(user_id, parse_json_body(event))})
