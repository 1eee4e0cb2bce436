"""POST /auth/logout (Bearer) {allDevices?} -> 204. Effective at once (the authorizer reads
the session on every request; ReauthorizeEvery is 0)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service import validation
from auth_service.handlers._api import api_handler, principal
from auth_service.handlers._sessions import session_service
from auth_service.http import empty_response, parse_json_body
from auth_service.log import logger

SESSIONS = session_service()


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    user_id, session_id = principal(event, allow_unverified=True)
    body = parse_json_body(event, optional=True)
    validation.check_fields(body, allowed=("allDevices",))
    all_devices = validation.bool_field(body["allDevices"], "allDevices") if "allDevices" in body else False
    if all_devices:
        revoked = SESSIONS.revoke_all(user_id)
        SESSIONS.revoke(session_id)  # the GSI may lag behind a just-created session; not this one
    else:
        SESSIONS.revoke(session_id)
        revoked = 1
    logger.info("logged out", extra={"allDevices": all_devices, "revokedSessions": revoked})
    return empty_response(204)
