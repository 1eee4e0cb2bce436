"""Writes to stdout, stderr and the logging module, like real handlers do."""

import logging
import sys

print("printed at import")
logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    print("hello from print")
    print("to stderr", file=sys.stderr)
    logger.info("via logging")
    sys.stdout.write("no newline at the end")
    return "done"
