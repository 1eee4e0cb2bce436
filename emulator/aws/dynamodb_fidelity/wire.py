"""Answers in DynamoDB's wire format: JSON 1.0 with the ``x-amz-crc32`` header.

DynamoDB sends the CRC32 of every response body in ``x-amz-crc32`` and the SDKs check it
(botocore retries, then fails, on a mismatch): a body changed here gets its checksum again.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from emulator.aws.requests import AwsResponse

CONTENT_TYPE = "application/x-amz-json-1.0"


def json_answer(
    status: str, payload: dict[str, Any], headers: list[tuple[str, str]] | None = None
) -> AwsResponse:
    body = json.dumps(payload).encode()
    kept = [
        (k, v) for k, v in headers or [] if k.lower() not in ("x-amz-crc32", "content-type", "content-length")
    ]
    kept += [("Content-Type", CONTENT_TYPE), ("x-amz-crc32", str(zlib.crc32(body)))]
    return AwsResponse(status, kept, body)


def replaced(response: AwsResponse, payload: dict[str, Any]) -> AwsResponse:
    """``response`` with another JSON body."""
    return json_answer(response.status, payload, response.headers)
