"""Publishing the Apple developer key into Secrets Manager: create, keep, replace, bring back."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from emulator.aws import EmbeddedAws
from emulator.idp.apple.keys import DeveloperKey, generate_developer_key
from emulator.idp.apple.publish import SECRET_NAME, publish_developer_key
from tests.emulator.aws.helpers import client


@pytest.fixture(scope="module")
def secretsmanager() -> Iterator[object]:
    with EmbeddedAws(ttl_sweep_interval_s=0) as aws:
        yield client("secretsmanager", aws.endpoint_url)


def _published(secretsmanager) -> DeveloperKey:
    return DeveloperKey.from_document(
        json.loads(secretsmanager.get_secret_value(SecretId=SECRET_NAME)["SecretString"])
    )


def test_created_then_kept_then_replaced_by_another_key(secretsmanager):
    logged: list[str] = []
    first, second = generate_developer_key(), generate_developer_key()

    assert publish_developer_key(secretsmanager, first, log=logged.append) == "created"
    assert _published(secretsmanager).document() == first.document()
    assert publish_developer_key(secretsmanager, first, log=logged.append) == "unchanged"
    assert publish_developer_key(secretsmanager, second, log=logged.append) == "updated"
    assert _published(secretsmanager).document() == second.document()
    assert len(logged) == 2
    assert all(first.private_pem() not in line and "PRIVATE" not in line for line in logged)

    secretsmanager.delete_secret(SecretId=SECRET_NAME, RecoveryWindowInDays=7)
    assert publish_developer_key(secretsmanager, first, log=logged.append) == "updated"
    assert _published(secretsmanager).document() == first.document()
