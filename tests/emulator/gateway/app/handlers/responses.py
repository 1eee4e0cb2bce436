"""Answers with a well-formed or a deliberately malformed proxy response, chosen by the path."""

import base64

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def handler(event, context):
    kind = event["pathParameters"]["kind"]
    if kind == "ok":
        return {"statusCode": 201, "body": "created"}
    if kind == "no-content-type":
        return {"statusCode": 200, "body": "{}"}
    if kind == "cookies":
        return {
            "statusCode": 200,
            "headers": {"X-Single": "one", "Content-Type": "text/plain"},
            "multiValueHeaders": {"Set-Cookie": ["a=1; Path=/", "b=2; Path=/"], "X-Multi": ["x", "y"]},
            "body": "cookies",
        }
    if kind == "png":
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "image/png"},
            "body": base64.b64encode(PNG).decode(),
            "isBase64Encoded": True,
        }
    if kind == "upload":  # echoes what arrived: the base64 flag and the body as received
        return {"statusCode": 200, "body": f"{event['isBase64Encoded']}:{event['body']}"}
    if kind == "big":  # more than a pipe holds, both ways: output while running, then the answer
        print("big-output " + "o" * 200_000)
        return {"statusCode": 200, "body": "b" * 3_000_000}
    if kind == "raise":
        raise ValueError("handler blew up on purpose")
    if kind == "not-a-dict":
        return ["not", "a", "dict"]
    if kind == "unknown-key":
        return {"statusCode": 200, "body": "x", "cookies": ["a=1"]}
    if kind == "body-not-string":
        return {"statusCode": 200, "body": {"a": 1}}
    if kind == "status-not-int":
        return {"statusCode": "OK", "body": "x"}
    if kind == "exit":
        import os

        os._exit(3)
    return {"statusCode": 400, "body": f"unknown kind {kind}"}
