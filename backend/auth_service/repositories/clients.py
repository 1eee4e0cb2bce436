"""Shared boto3 settings: short timeouts (a Lambda has seconds, not minutes) and standard retries."""

from __future__ import annotations

from botocore.config import Config

BOTO_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "max_attempts": 3},
)
