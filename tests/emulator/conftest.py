"""Every emulator test writes its extracted zips and inline code into a cache of its own, never the
user's (``EMULATOR_CACHE_DIR``, which the ``serve`` processes the tests start inherit)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def private_code_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    previous = os.environ.get("EMULATOR_CACHE_DIR")
    os.environ["EMULATOR_CACHE_DIR"] = str(tmp_path_factory.mktemp("code-cache"))
    yield
    if previous is None:
        os.environ.pop("EMULATOR_CACHE_DIR", None)
    else:
        os.environ["EMULATOR_CACHE_DIR"] = previous
