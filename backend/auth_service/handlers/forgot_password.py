"""POST /auth/password/forgot {email} -> 202, the same answer whether or not the email has an account."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.handlers._api import api_handler
from auth_service.handlers._password_reset import password_reset_service
from auth_service.http import json_response, parse_json_body, source_ip

SERVICE = password_reset_service()


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return json_response(202, SERVICE.forgot(parse_json_body(event), source_ip=source_ip(event)))
