"""POST /auth/register {email, password, displayName?} -> 201 token response (sign-up signs in).

The body is a login's: ``{user, accessToken, refreshToken, tokenType, expiresIn, session}``, with
``user.emailVerified`` false until the code mailed now is entered (``POST /auth/email/verify``).
Clients written for the earlier ``{user}`` answer read the same ``user`` key.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.handlers._api import api_handler
from auth_service.handlers._sessions import signing_session_service
from auth_service.handlers._verification import verification_service
from auth_service.http import json_response, parse_json_body, source_ip
from auth_service.services import deps
from auth_service.services.registration import RegistrationService

SERVICE = RegistrationService(
    users=deps.users_repository(),
    guard=deps.brute_force_guard(),
    sessions=signing_session_service(),
    verification=verification_service(),
    settings=deps.settings(),
)


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return json_response(201, SERVICE.register(parse_json_body(event), source_ip=source_ip(event)))
