"""Logs at DEBUG through the root logger's handler, without configuring any level itself."""

import logging


def handler(event, context):
    logging.getLogger("app").debug("a debug line")
    logging.getLogger("app").warning("a warning line")
    return None
