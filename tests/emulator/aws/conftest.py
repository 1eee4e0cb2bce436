from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.aws import EmbeddedAws

from .helpers import client


@pytest.fixture(scope="session")
def endpoint() -> Iterator[str]:
    """One in-memory endpoint for the tests that do not restart it (each uses its own tables)."""
    with EmbeddedAws(ttl_sweep_interval_s=0) as aws:
        yield aws.endpoint_url


@pytest.fixture
def dynamodb(endpoint: str) -> Any:
    return client("dynamodb", endpoint)
