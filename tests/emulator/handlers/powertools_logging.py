"""Logs through AWS Lambda Powertools' Logger, as the backend does."""

from aws_lambda_powertools import Logger

logger = Logger(service="demo")


@logger.inject_lambda_context
def handler(event, context):
    logger.info("handled", extra={"answer": 42})
    return "ok"
