"""GET /health — liveness; touches no AWS service."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.handlers._api import api_handler
from auth_service.http import json_response
from auth_service.services import deps

deps.settings()  # the production config check runs at init, for every function


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return json_response(200, {"status": "ok"})
