"""``GET`` and ``POST /_emulator/clock`` on serve's port: the emulator clock (:mod:`emulator.clock`).

``POST`` takes ``{"advance": "15m"}`` (or a number of seconds) or ``{"reset": true}`` and answers
as ``GET`` does: ``{"offsetSeconds", "offset", "now", "realNow"}``. The route exists only in the
emulator: a deployed stack has no ``/_emulator/`` and no way to move time.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request

from emulator import log
from emulator.clock import DurationError, EmulatorClock, describe_offset, parse_duration
from emulator.idp.blueprint import error_response

CLOCK_PATH = "/_emulator/clock"


def clock_blueprint(clock: EmulatorClock) -> Blueprint:
    bp = Blueprint("emulator_clock", __name__)

    @bp.get(CLOCK_PATH)
    def show() -> Response:
        return _state(clock)

    @bp.post(CLOCK_PATH)
    def change() -> Response:
        body = request.get_json(silent=True) if request.is_json else None
        if not isinstance(body, dict) or sorted(body) not in (["advance"], ["reset"]):
            return error_response(
                400,
                "validation_error",
                'send {"advance": "15m"} (a duration, or a number of seconds) or {"reset": true} as JSON',
            )
        if "reset" in body:
            if body["reset"] is not True:
                return error_response(400, "validation_error", '"reset" must be true', {"field": "reset"})
            clock.reset()
        else:
            try:
                clock.advance(parse_duration(body["advance"]))
            except DurationError as exc:
                return error_response(400, "validation_error", str(exc), {"field": "advance"})
        logging.getLogger(log.SERVE).info("emulator clock: %s", describe_offset(clock.offset_s))
        return _state(clock)

    return bp


def _state(clock: EmulatorClock) -> Response:
    response = jsonify(clock.state())
    response.headers["Cache-Control"] = "no-store"
    return response
