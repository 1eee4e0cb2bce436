"""What serve answers under ``/_emulator/`` beside the gateway, and what it publishes at start.

- ``/_emulator/idp/...``: the local Google identity provider (:mod:`emulator.idp`);
- ``/_emulator/idp/apple/...``: the local Sign in with Apple provider (:mod:`emulator.idp.apple`);
- ``GET /_emulator/emails[?to=ADDRESS]``: the emails sent through SES, read from the AWS endpoint
  that the functions use (the embedded one, or LocalStack's record under docker-compose);
- ``GET``/``POST /_emulator/clock``: the emulator clock (:mod:`emulator.clock_routes`).

At start, after provisioning, :func:`publish_to_aws` puts the Apple developer key into that
endpoint's Secrets Manager, where the backend reads it as it would read the real one on AWS.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from emulator import log
from emulator.aws.emails import listing_filter
from emulator.aws.sent_emails import SentEmails, SentEmailsError
from emulator.clock import EmulatorClock
from emulator.clock_routes import clock_blueprint
from emulator.idp import blueprint as google_blueprint
from emulator.idp.apple import blueprint as apple_blueprint
from emulator.idp.apple import provider_for
from emulator.idp.apple.provider import AppleProvider
from emulator.idp.blueprint import error_response

APPLE_EXTENSION = "emulator.idp.apple"
# The dashboard's emails page (emulator.dashboard): a browser asking for HTML gets it instead of JSON.
EMAILS_PAGE = "emulator.dashboard.emails_page"


def build_emulator_app(
    data_dir: Path | None, aws_endpoint: str, *, external_aws: bool, clock: EmulatorClock | None = None
) -> Flask:
    """``external_aws``: not the embedded endpoint (e.g. LocalStack): emails are read its way first."""
    app = Flask("emulator")
    register_emulator_pages(app, data_dir, aws_endpoint, external_aws=external_aws, clock=clock)
    return app


def register_emulator_pages(
    app: Flask,
    data_dir: Path | None,
    aws_endpoint: str,
    *,
    external_aws: bool,
    clock: EmulatorClock | None = None,
) -> None:
    """The ``/_emulator/...`` blueprints on ``app`` (serve's own small app, or the Flask front).
    ``clock``: the emulator clock, moved by ``/_emulator/clock``; the identity providers mint by it."""
    clock = clock or EmulatorClock()
    app.register_blueprint(google_blueprint(data_dir, clock=clock.now))
    app.register_blueprint(clock_blueprint(clock))
    apple = provider_for(data_dir, clock=clock.now)
    app.extensions[APPLE_EXTENSION] = apple
    app.register_blueprint(apple_blueprint(apple))
    app.register_blueprint(emails_blueprint(SentEmails(aws_endpoint, localstack_first=external_aws)))


def emails_blueprint(source: SentEmails) -> Blueprint:
    bp = Blueprint("emulator_emails", __name__, url_prefix="/_emulator")

    @bp.get("/emails")
    def emails() -> Response:
        try:
            to = listing_filter(request.args.to_dict(flat=False))
        except ValueError as exc:
            return error_response(400, "validation_error", str(exc))
        try:
            listed = source.list(to)
        except SentEmailsError as exc:
            return error_response(exc.status, "aws_endpoint_unavailable", str(exc))
        page = current_app.extensions.get(EMAILS_PAGE)  # the dashboard's, for a browser
        if (
            page is not None
            and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
        ):
            return page(listed)
        response = jsonify(listed)
        response.headers["Cache-Control"] = "no-store"
        return response

    return bp


def publish_to_aws(app: Any, endpoint_url: str, region: str, *, external: bool = False) -> None:
    """Publish the Apple developer key of serve's ``/_emulator`` app; a failure is a warning, not a stop.

    ``external``: as for provisioning, sign with this process's credentials (the functions' account)."""
    apple: AppleProvider | None = getattr(app, "extensions", {}).get(APPLE_EXTENSION)
    if apple is None:
        return
    from botocore.exceptions import BotoCoreError, ClientError

    from emulator.aws.provisioning import aws_client
    from emulator.idp.apple.publish import SECRET_NAME, publish_developer_key

    logger = logging.getLogger(log.AWS)
    try:
        secretsmanager = aws_client("secretsmanager", endpoint_url, region, embedded=not external)
        publish_developer_key(secretsmanager, apple.developer_key, log=logger.info)
    except (BotoCoreError, ClientError) as exc:
        logger.warning(
            "warning: could not publish the Apple developer key as secret %s on %s (%s); Sign in with "
            "Apple's code exchange will fail until it is there",
            SECRET_NAME,
            endpoint_url,
            exc,
        )
