"""POST /auth/apple {identityToken, authorizationCode, nonce, fullName?} -> 200 token response + isNewUser."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.handlers._api import api_handler
from auth_service.handlers._sessions import signing_session_service
from auth_service.http import json_response, parse_json_body, source_ip
from auth_service.services import deps
from auth_service.services.apple_signin import AppleSignInService

SERVICE = AppleSignInService(
    users=deps.users_repository(),
    sessions=signing_session_service(),
    credentials=deps.apple_credential_check(),
    guard=deps.brute_force_guard(),
)


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return json_response(200, SERVICE.sign_in(parse_json_body(event), source_ip=source_ip(event)))
