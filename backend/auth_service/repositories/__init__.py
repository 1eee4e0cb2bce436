"""Every AWS call of the backend lives in this package (DynamoDB and Secrets Manager).

Clients are created at module import (Lambda's init phase, reused across invocations). No
endpoint URL appears in code: boto3 reads ``AWS_ENDPOINT_URL_DYNAMODB`` / ``AWS_ENDPOINT_URL``
itself, which is how the local emulator points these same modules at its embedded services.
"""
