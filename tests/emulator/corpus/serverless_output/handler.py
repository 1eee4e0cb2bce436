import json
import os


def hello(event, context):
    body = {"message": "Go Serverless v3! Your function executed successfully!", "stage": os.environ["STAGE"]}
    return {"statusCode": 200, "body": json.dumps(body)}
