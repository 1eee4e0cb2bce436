# Stand-in for the sample's handler (not in the stored copy of the repository).
import json
import os

HEADERS = {"Access-Control-Allow-Origin": os.environ.get("ALLOWED_ORIGIN")}


def lambda_handler(event, context):
    return {"statusCode": 200, "headers": HEADERS, "body": json.dumps({"products": []})}
