# Stand-in for the sample's handler (not in the stored copy of the repository): the product
# the path names, with the CORS headers the sample's handlers send.
import json
import os

HEADERS = {"Access-Control-Allow-Origin": os.environ.get("ALLOWED_ORIGIN")}


def lambda_handler(event, context):
    product_id = event["pathParameters"]["product_id"]
    return {"statusCode": 200, "headers": HEADERS, "body": json.dumps({"product": {"productId": product_id}})}
