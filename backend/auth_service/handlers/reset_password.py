"""POST /auth/password/reset {email, code, newPassword} -> 204; every session of the user revoked."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.handlers._api import api_handler
from auth_service.handlers._password_reset import password_reset_service
from auth_service.http import empty_response, parse_json_body, source_ip

SERVICE = password_reset_service()


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    SERVICE.reset(parse_json_body(event), source_ip=source_ip(event))
    return empty_response(204)
