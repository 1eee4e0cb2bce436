"""POST /auth/email/verify/resend (Bearer) -> 202: a new code is mailed (1 a minute, 5 an hour)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service import validation
from auth_service.handlers._api import api_handler, principal
from auth_service.handlers._verification import verification_service
from auth_service.http import json_response, parse_json_body

SERVICE = verification_service()
SENT = {"message": "A new verification code is on its way."}


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    user_id, _session_id = principal(event, allow_unverified=True)
    validation.check_fields(parse_json_body(event, optional=True), allowed=())
    SERVICE.resend(user_id)
    return json_response(202, SENT)
