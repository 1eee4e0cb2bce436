"""Request ids, cheaply: API Gateway's ids are opaque and unique, not secrets.

``uuid.uuid4()`` reads the OS's random source (a system call) per id; the gateway mints three
per request and the Lambda runtime one more, so a PRNG seeded once from the OS does it instead
(still a fresh, well-formed version-4 UUID every time).
"""

from __future__ import annotations

import base64
import random

_random = random.Random()  # noqa: S311 - seeded from os.urandom; ids, not secrets
getrandbits = _random.getrandbits


def request_id() -> str:
    """A random version-4 UUID string, e.g. ``c6af9ac6-7b61-11e6-9a41-93e8deadbeef``."""
    value = (getrandbits(128) & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC000 << 48) | (0x8000 << 48)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def extended_request_id() -> str:
    """API Gateway's ``extendedRequestId``: 16 base64-looking characters ending in ``=``."""
    return base64.b64encode(getrandbits(96).to_bytes(12, "big")).decode()[:15] + "="
