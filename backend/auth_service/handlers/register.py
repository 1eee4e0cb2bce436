"""POST /auth/register {email, password, displayName?} -> 201 {user}."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.handlers._api import api_handler
from auth_service.http import json_response, parse_json_body, source_ip
from auth_service.services import deps
from auth_service.services.registration import RegistrationService

SERVICE = RegistrationService(
    users=deps.users_repository(),
    guard=deps.brute_force_guard(),
    settings=deps.settings(),
)


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    user = SERVICE.register(parse_json_body(event), source_ip=source_ip(event))
    return json_response(201, {"user": user})
