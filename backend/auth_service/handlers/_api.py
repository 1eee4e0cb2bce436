"""What every API handler shares: error mapping, CORS headers, structured logging.

``@api_handler`` turns :class:`ApiError` into the contract's error body and any other
exception into a bare 500 ``internal_error`` (the traceback goes to the log, never to the
client). Only method, route, status and error code are logged — not headers, not bodies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service import errors
from auth_service.http import authorizer_context, cors_headers, error_response, header
from auth_service.log import logger
from auth_service.services import deps

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def api_handler(function: Handler) -> Handler:
    @logger.inject_lambda_context(
        log_event=False, correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True
    )
    @functools.wraps(function)
    def wrapper(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        try:
            response = function(event, context)
        except errors.ApiError as error:
            log = logger.error if error.status >= 500 else logger.info
            log("request refused", extra={"status": error.status, "code": error.code})
            response = error_response(error)
        except Exception:
            logger.exception("unhandled error")
            response = error_response(errors.internal_error())
        response["headers"].update(cors_headers(header(event, "Origin"), deps.settings().allowed_origins))
        logger.info(
            "request completed",
            extra={
                "method": event.get("httpMethod"),
                "route": event.get("resource"),
                "status": response["statusCode"],
            },
        )
        return response

    return wrapper


def principal(event: Mapping[str, Any], *, allow_unverified: bool = False) -> tuple[str, str]:
    """``(userId, sessionId)`` put in the request context by the Bearer authorizer.

    With ``REQUIRE_VERIFIED_EMAIL=true`` a user whose email is not verified gets 403
    ``email_not_verified``, except on the routes that pass ``allow_unverified`` (verify, resend,
    logout, account deletion: a user who mistyped their address must still be able to leave).
    """
    context = authorizer_context(event)
    user_id, session_id = context.get("userId"), context.get("sessionId")
    if not user_id or not session_id:
        raise errors.unauthorized()  # only reachable if the route was deployed without the authorizer
    logger.append_keys(userId=str(user_id))
    # API Gateway passes authorizer context values to the function as strings.
    verified = str(context.get("emailVerified")).lower() == "true"
    if not allow_unverified and deps.settings().require_verified_email and not verified:
        raise errors.email_not_verified()
    return str(user_id), str(session_id)
