from __future__ import annotations

import json
from datetime import UTC, datetime

import jwt
import pytest
from auth_service.key_cache import KeyCache, NoSigningKeyError, VerificationKeyCache
from auth_service.signing_keys import (
    KEEP_KEYS,
    KeyFormatError,
    parse_public_keys,
    parse_secret,
    public_keys_secret,
    rotated_secret,
    secret_entries,
    without_key,
)


def _rotate(times: int) -> str:
    secret = json.dumps({"keys": []})
    for _ in range(times):
        secret = rotated_secret(secret_entries(secret))
    return secret


def test_first_rotation_of_the_empty_secret_creates_one_key():
    ring = parse_secret(_rotate(1))
    assert len(ring.keys) == 1
    assert ring.signing_key is ring.keys[0]


def test_rotation_puts_the_new_key_first_and_keeps_the_last_n():
    before = _rotate(KEEP_KEYS)
    before_kids = [key.kid for key in parse_secret(before).keys]
    after_kids = [key.kid for key in parse_secret(rotated_secret(secret_entries(before))).keys]
    assert len(before_kids) == len(after_kids) == KEEP_KEYS
    assert after_kids[0] not in before_kids
    assert after_kids[1:] == before_kids[: KEEP_KEYS - 1]  # the oldest one is dropped


def test_rotation_keeps_previous_keys_verifiable():
    first = _rotate(1)
    second = rotated_secret(secret_entries(first))
    old_kid = parse_secret(first).keys[0].kid
    ring = parse_secret(second)
    assert ring.signing_key.kid != old_kid
    assert ring.get(old_kid) is not None


def test_jwks_publishes_public_parts_only():
    ring = parse_secret(_rotate(2))
    jwks = ring.jwks()
    assert [key["kid"] for key in jwks["keys"]] == [key.kid for key in ring.keys]
    for jwk in jwks["keys"]:
        assert set(jwk) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
        assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("EC", "P-256", "ES256", "sig")


def test_kid_mismatch_and_garbage_are_refused():
    entry = secret_entries(_rotate(1))[0]
    with pytest.raises(KeyFormatError):
        parse_secret(json.dumps({"keys": [{**entry, "kid": "forged"}]}))
    for bad in ("not json", "[]", '{"keys": 1}', '{"keys": [{"privateKeyPem": "x"}]}'):
        with pytest.raises(KeyFormatError):
            parse_secret(bad)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_key_cache_refreshes_after_max_age_and_refetches_unknown_kid_at_most_every_interval():
    secrets = [_rotate(1)]
    loads: list[int] = []

    def load() -> str:
        loads.append(1)
        return secrets[-1]

    clock = FakeClock()
    cache = KeyCache(load, max_age_s=300, min_refetch_s=10, clock=clock)
    first_kid = cache.signing_key().kid
    assert len(loads) == 1
    assert cache.find(first_kid) is not None
    assert len(loads) == 1
    assert cache.find("unknown") is None
    assert len(loads) == 1
    secrets.append(rotated_secret(secret_entries(secrets[-1])))
    clock.now += 11
    new_kid = parse_secret(secrets[-1]).signing_key.kid
    assert cache.find(new_kid) is not None
    assert len(loads) == 2
    clock.now += 300
    cache.ring()
    assert len(loads) == 3  # max age reached


def test_key_cache_without_keys_cannot_sign():
    cache = KeyCache(lambda: json.dumps({"keys": []}), clock=FakeClock())
    with pytest.raises(NoSigningKeyError):
        cache.signing_key()
    assert KeyCache(lambda: None, clock=FakeClock()).ring().keys == ()


def test_a_freshly_rotated_key_signs_only_after_its_activation_delay():
    older = _rotate(1)
    newer = rotated_secret(secret_entries(older))
    ring = parse_secret(newer)
    fresh, previous = ring.keys
    created = datetime.strptime(fresh.created_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    # Both keys were created just now, so neither is old enough: the newest signs (first start).
    assert ring.active_signing_key(created, activation_delay_s=600) is fresh
    entries = secret_entries(newer)
    entries[1]["createdAt"] = "2020-01-01T00:00:00Z"  # the previous key is long published
    backdated = parse_secret(json.dumps({"keys": entries}))
    assert backdated.active_signing_key(created + 10, activation_delay_s=600).kid == previous.kid
    assert backdated.active_signing_key(created + 600, activation_delay_s=600).kid == fresh.kid


def test_key_cache_signs_with_the_active_key():
    entries = secret_entries(rotated_secret(secret_entries(_rotate(1))))
    entries[1]["createdAt"] = "2020-01-01T00:00:00Z"
    secret = json.dumps({"keys": entries})
    now = datetime.strptime(entries[0]["createdAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    cache = KeyCache(lambda: secret, activation_delay_s=600, clock=FakeClock(), wall_clock=lambda: now + 1)
    assert cache.signing_key().kid == entries[1]["kid"]
    assert cache.find(entries[0]["kid"]) is not None  # listed (verifies) before it signs


def test_two_keys_are_kept_the_current_and_the_one_before():
    assert KEEP_KEYS == 2
    assert len(parse_secret(_rotate(5)).keys) == 2


def test_the_public_secret_holds_the_public_halves_only_and_parses_back():
    ring = parse_secret(_rotate(2))
    published = public_keys_secret(ring)
    assert "PRIVATE" not in published
    assert "privateKeyPem" not in published
    public = parse_public_keys(published)
    assert [key.kid for key in public.keys] == [key.kid for key in ring.keys]
    assert public.jwks() == ring.jwks()
    assert [key.created_at for key in public.keys] == [key.created_at for key in ring.keys]
    signer = ring.keys[0]
    probe = jwt.encode({"sub": "x"}, signer.private_key, algorithm="ES256")
    assert jwt.decode(probe, public.get(signer.kid).public_key, algorithms=["ES256"]) == {"sub": "x"}


def test_a_public_key_whose_kid_does_not_match_is_refused():
    entry = json.loads(public_keys_secret(parse_secret(_rotate(1))))["keys"][0]
    for bad in ({**entry, "kid": "forged"}, {**entry, "crv": "P-384"}, {**entry, "x": "!!"}):
        with pytest.raises(KeyFormatError):
            parse_public_keys(json.dumps({"keys": [bad]}))


def test_retiring_a_key_removes_it_and_the_last_one_is_replaced_by_a_fresh_key():
    entries = secret_entries(_rotate(2))
    newest, previous = (entry["kid"] for entry in entries)
    assert [key.kid for key in parse_secret(without_key(entries, newest)).keys] == [previous]
    only = secret_entries(_rotate(1))
    replaced = parse_secret(without_key(only, only[0]["kid"])).keys
    assert len(replaced) == 1
    assert replaced[0].kid != only[0]["kid"]


def test_verification_cache_reads_only_the_public_secret_and_drops_a_retired_kid_after_max_age():
    ring = parse_secret(_rotate(2))
    published = [public_keys_secret(ring)]
    clock = FakeClock()
    cache = VerificationKeyCache(lambda: published[-1], max_age_s=300, clock=clock)
    retired = ring.keys[0].kid
    assert cache.find(retired) is not None
    published.append(without_key_public(published[-1], retired))
    clock.now += 299
    assert cache.find(retired) is not None  # cached
    clock.now += 1
    assert cache.find(retired) is None
    assert cache.find(ring.keys[1].kid) is not None


def without_key_public(published: str, kid: str) -> str:
    document = json.loads(published)
    return json.dumps({"keys": [key for key in document["keys"] if key["kid"] != kid]})
