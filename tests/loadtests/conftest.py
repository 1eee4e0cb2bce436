"""The embedded stack the Locust runs of these tests load: bcrypt cost 4, a free port, one per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loadtests.stack import LocalStack, StackOptions, StackStartError, local_stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    workdir = tmp_path_factory.mktemp("load-stack")
    try:
        with local_stack(workdir, StackOptions(bcrypt_rounds=4)) as running:
            yield running
    except StackStartError as exc:
        pytest.fail(f"the embedded stack did not start: {exc}", pytrace=False)
