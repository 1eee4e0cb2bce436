"""An item by id, from an HTTP API (payload format 2.0)."""

import json


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"id": event["pathParameters"]["id"], "route": event["routeKey"]})}
