"""The structured JSON logger (AWS Lambda Powertools) shared by all handlers.

Rules: log ids and outcomes, never a password, token, hash, secret or a whole event.
Handlers use ``logger.inject_lambda_context(log_event=False)``; the explicit False wins over
``POWERTOOLS_LOGGER_LOG_EVENT``, so no configuration can make it log request bodies.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger()  # service name from POWERTOOLS_SERVICE_NAME, level from LOG_LEVEL
