"""GET /.well-known/jwks.json — the public halves of every listed signing key."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from auth_service.handlers._api import api_handler
from auth_service.http import json_response
from auth_service.services import deps

deps.settings()
KEYS = deps.verification_key_cache()


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Cacheable briefly: a new key is listed before it signs anything (rotation keeps old keys).
    return json_response(200, KEYS.ring().jwks(), headers={"Cache-Control": "public, max-age=300"})
