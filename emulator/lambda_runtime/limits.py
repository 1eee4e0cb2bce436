"""Lambda's limit on a synchronous invocation's payload: 6 MB, for the request and the response.

"For synchronous invocations, the maximum payload size is 6 MB" (Lambda API Reference, Invoke,
https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html; "Invocation payload (request and
response)" in "Lambda quotas"). Measured, Lambda refuses a request over 6,291,456 bytes (6 MiB:
RequestEntityTooLargeException, "Request must be smaller than 6291456 bytes for the
InvokeFunction operation", before any function runs) and a response over 6,291,556 bytes (a
function error, ``Function.ResponseSizeTooLarge``). API Gateway then answers 500 for the refused
invocation and 502 for the function error, both ``{"message": "Internal server error"}``
("Handling Lambda errors with an API Gateway API",
https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html).
"""

from __future__ import annotations

MAX_REQUEST_BYTES = 6 * 1024 * 1024
MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100
REQUEST_TOO_LARGE_TYPE = "RequestEntityTooLargeException"
REQUEST_TOO_LARGE_MESSAGE = (
    f"Request must be smaller than {MAX_REQUEST_BYTES} bytes for the InvokeFunction operation"
)
RESPONSE_TOO_LARGE_TYPE = "Function.ResponseSizeTooLarge"
RESPONSE_TOO_LARGE_MESSAGE = (
    f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
)
