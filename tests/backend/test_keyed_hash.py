from __future__ import annotations

import json

import pytest
from auth_service.keyed_hash import HashingKeyError, KeyedHasher

HASHER = KeyedHasher.from_secret(json.dumps({"hmacKey": "k" * 64}))


def test_email_refs_are_stable_pseudonyms_that_do_not_contain_the_email():
    ref = HASHER.email_ref("ada@example.com")
    assert ref == HASHER.email_ref("ada@example.com")
    assert ref != HASHER.email_ref("bob@example.com")
    assert len(ref) == 16
    assert "ada" not in ref
    other_key = KeyedHasher(b"o" * 64)
    assert other_key.email_ref("ada@example.com") != ref  # keyed: useless without the key


def test_code_hashes_bind_the_purpose_and_the_subject():
    stored = HASHER.code_hash("verify", "user-1", "123456")
    assert HASHER.code_matches("verify", "user-1", "123456", stored)
    assert not HASHER.code_matches("verify", "user-1", "123457", stored)
    assert not HASHER.code_matches("reset", "user-1", "123456", stored)
    assert not HASHER.code_matches("verify", "user-2", "123456", stored)
    assert "123456" not in stored


@pytest.mark.parametrize("secret", [None, "", "not json", "{}", '{"hmacKey": ""}', '{"hmacKey": "short"}'])
def test_a_missing_or_weak_key_is_refused(secret):
    with pytest.raises(HashingKeyError):
        KeyedHasher.from_secret(secret)
