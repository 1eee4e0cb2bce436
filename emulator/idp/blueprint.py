"""The identity provider's HTTP face, mounted by the gateway at ``/_emulator/idp``.

- ``GET /jwks.json``: the public key, cached by clients as Google's JWKS is
  (``Cache-Control: public, max-age=..., must-revalidate, no-transform``).
- ``POST /token``: ``{email, emailVerified?, name?, sub?, audience?, issuer?, expiresIn?}`` →
  ``{"idToken": "<RS256 JWT>"}``. Errors use the backend's one shape,
  ``{"error": {"code", "message", "details": {"field", "reason"}}}``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request

from emulator.idp.keys import SigningKey, load_or_create_signing_key
from emulator.idp.tokens import TokenRequest, TokenRequestError, mint_id_token

URL_PREFIX = "/_emulator/idp"
# Google serves its certs with a max-age of a few hours; clients (the backend's JWKS cache)
# are expected to honour it. Six hours here, like Google's typical value.
JWKS_CACHE_CONTROL = "public, max-age=21600, must-revalidate, no-transform"
T = TypeVar("T")


def error_response(status: int, code: str, message: str, details: dict[str, str] | None = None) -> Response:
    body: dict[str, object] = {"code": code, "message": message}
    if details:
        body["details"] = details
    response = jsonify({"error": body})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def parsed_json(parse: Callable[[Any], T]) -> T | Response:
    """The JSON body read by ``parse``, or the error response (415, invalid JSON, a field's 400)."""
    if not request.is_json:
        return error_response(415, "unsupported_media_type", "send the body as application/json")
    body = request.get_json(silent=True)
    if body is None:
        return error_response(400, "invalid_json", "the request body is not valid JSON")
    try:
        return parse(body)
    except TokenRequestError as exc:
        return error_response(400, "validation_error", str(exc), {"field": exc.field, "reason": exc.reason})


def blueprint(
    data_dir: Path | None = None,
    *,
    signing_key: SigningKey | None = None,
    clock: Callable[[], float] = time.time,
) -> Blueprint:
    """A Blueprint serving one key pair: ``signing_key``, else the one in ``data_dir`` (or a new one).
    ``clock``: the tokens' ``iat``/``exp`` (serve's emulator clock, which the functions follow)."""
    key = signing_key if signing_key is not None else load_or_create_signing_key(data_dir)
    bp = Blueprint("emulator_idp", __name__, url_prefix=URL_PREFIX)

    @bp.get("/jwks.json")
    def jwks() -> Response:
        response = jsonify(key.jwks())
        response.headers["Cache-Control"] = JWKS_CACHE_CONTROL
        return response

    @bp.post("/token")
    def token() -> Response:
        token_request = parsed_json(TokenRequest.from_json)
        if isinstance(token_request, Response):
            return token_request
        response = jsonify({"idToken": mint_id_token(key, token_request, now=int(clock()))})
        response.headers["Cache-Control"] = "no-store"
        return response

    return bp
