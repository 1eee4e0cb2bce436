"""A module-global counter: it keeps counting only while the same worker stays warm."""

import os

INVOCATIONS = 0


def handler(event, context):
    global INVOCATIONS
    INVOCATIONS += 1
    return {"count": INVOCATIONS, "pid": os.getpid()}
