"""The REST proxy event's keys, in AWS's order ("Input format of a Lambda function for proxy
integration", payload format 1.0): what the gateway, its tests and ``generate-event`` agree on."""

from __future__ import annotations

EVENT_KEYS = [
    "resource",
    "path",
    "httpMethod",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
    "requestContext",
    "body",
    "isBase64Encoded",
]
CONTEXT_KEYS = {
    "accountId",
    "apiId",
    "resourceId",
    "resourcePath",
    "httpMethod",
    "extendedRequestId",
    "requestTime",
    "requestTimeEpoch",
    "path",
    "protocol",
    "stage",
    "domainPrefix",
    "domainName",
    "requestId",
    "identity",
}
IDENTITY_KEYS = {
    "cognitoIdentityPoolId",
    "accountId",
    "cognitoIdentityId",
    "caller",
    "sourceIp",
    "principalOrgId",
    "accessKey",
    "cognitoAuthenticationType",
    "cognitoAuthenticationProvider",
    "userArn",
    "userAgent",
    "user",
}
