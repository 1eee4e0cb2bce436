"""Handlers that fail in every way a Lambda function can."""

import ctypes
import os
import sys


def raise_error(event, context):
    raise ValueError("something broke")


def exit_nonzero(event, context):
    sys.exit(3)


def hard_exit(event, context):
    os._exit(7)


def segfault(event, context):
    ctypes.string_at(0)


def abort(event, context):
    os.abort()


def not_json(event, context):
    return {"values": {1, 2}}


def decimal_value(event, context):
    import decimal

    return {"price": decimal.Decimal("12.5"), "count": decimal.Decimal("3")}


def sleep_past_timeout(event, context):
    import time

    print("going to sleep", flush=True)
    time.sleep(60)
