"""Runs past its 1 s Timeout unless asked not to."""

import time


def handler(event, context):
    seconds = float((event.get("queryStringParameters") or {}).get("seconds", "5"))
    time.sleep(seconds)
    return {"statusCode": 200, "body": "done"}
