"""The Apple provider's HTTP face, mounted by serve at ``/_emulator/idp/apple``.

Apple's own endpoints, with Apple's paths under the prefix (``https://appleid.apple.com/auth/keys``
is ``{prefix}/auth/keys``), request and response shapes:

- ``GET /auth/keys``: the JWKS of the key that signs identity tokens;
- ``POST /auth/token`` and ``POST /auth/revoke``: form-encoded, errors ``{"error", "error_description"}``.

The emulator's own, with the backend's error shape ``{"error": {"code", "message", "details"}}``:

- ``POST /authorize``: ``{email, nonce, privateRelay?, audience?, sub?, expiresIn?}`` ->
  ``{"identityToken", "authorizationCode", "user"}``, what the device hands the app;
- ``GET /revocations[?sub=SUB]``: ``[{"sub", "email", "clientId", "tokenType", "revokedAt"}]``;
- ``GET|POST /faults``: ``{"revoke": N, "token": N}``: the next N calls answer 503.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulator.idp.apple.identity import AuthorizeRequest
from emulator.idp.apple.keys import load_or_create_apple_signing_key, load_or_create_developer_key
from emulator.idp.apple.provider import FAULT_KINDS, AppleProvider, OAuthError
from emulator.idp.blueprint import error_response, parsed_json
from emulator.idp.tokens import TokenRequestError

URL_PREFIX = "/_emulator/idp/apple"
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FAULTS = 1000


def provider_for(data_dir: Path | None, *, clock: Callable[[], float] = time.time) -> AppleProvider:
    """The provider with its keys and grants in ``data_dir`` (created there if missing), or in memory;
    ``clock``: its tokens' and codes' time (serve's emulator clock, which the functions follow)."""
    return AppleProvider(
        load_or_create_apple_signing_key(data_dir),
        load_or_create_developer_key(data_dir),
        data_dir=data_dir,
        clock=clock,
    )


def _no_store(response: Response) -> Response:
    # RFC 6749 §5.1: token responses must not be cached.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _oauth_error(exc: OAuthError) -> Response:
    response = jsonify(exc.body())
    response.status_code = exc.status
    return _no_store(response)


def _form() -> Mapping[str, list[str]]:
    """The form-encoded body, as Apple's endpoints take it; ``invalid_request`` for anything else."""
    if request.mimetype != FORM_TYPE:
        raise OAuthError("invalid_request", f"send the parameters form-encoded ({FORM_TYPE})")
    if request.args:
        raise OAuthError("invalid_request", "send the parameters in the body, not in the query string")
    return request.form.to_dict(flat=False)


def parse_faults(body: Any) -> dict[str, int]:
    if not isinstance(body, dict) or not body:
        raise TokenRequestError("body", f"a JSON object with one or more of {', '.join(FAULT_KINDS)}")
    for kind, count in body.items():
        if kind not in FAULT_KINDS:
            raise TokenRequestError(str(kind), f"unknown fault; allowed: {', '.join(FAULT_KINDS)}")
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_FAULTS:
            raise TokenRequestError(kind, f"the number of calls to fail, 0 to {MAX_FAULTS} (0 clears)")
    return dict(body)


def blueprint(provider: AppleProvider) -> Blueprint:
    bp = Blueprint("emulator_idp_apple", __name__, url_prefix=URL_PREFIX)

    @bp.get("/auth/keys")
    def keys() -> Response:
        return jsonify(provider.signing_key.jwks())

    @bp.post("/authorize")
    def authorize() -> Response:
        parsed = parsed_json(AuthorizeRequest.from_json)
        if isinstance(parsed, Response):
            return parsed
        return _no_store(jsonify(provider.authorize(parsed)))

    @bp.post("/auth/token")
    def token() -> Response:
        try:
            return _no_store(jsonify(provider.token(_form())))
        except OAuthError as exc:
            return _oauth_error(exc)

    @bp.post("/auth/revoke")
    def revoke() -> Response:
        try:
            provider.revoke(_form())
        except OAuthError as exc:
            return _oauth_error(exc)
        return _no_store(Response(status=200))

    @bp.get("/revocations")
    def revocations() -> Response:
        unknown = sorted(set(request.args) - {"sub"})
        if unknown:
            return error_response(
                400, "validation_error", f"unknown query parameter {unknown[0]}", {"field": unknown[0]}
            )
        return _no_store(jsonify(provider.revocations(request.args.get("sub"))))

    @bp.get("/faults")
    def faults() -> Response:
        return _no_store(jsonify(provider.faults()))

    @bp.post("/faults")
    def set_faults() -> Response:
        parsed = parsed_json(parse_faults)
        if isinstance(parsed, Response):
            return parsed
        return _no_store(jsonify(provider.set_faults(parsed)))

    return bp
