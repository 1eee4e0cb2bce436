from __future__ import annotations

import bcrypt
import pytest
from auth_service import passwords
from auth_service.errors import ApiError

ROUNDS = 4  # bcrypt's minimum: fast tests


def test_hash_verifies_and_is_a_standard_bcrypt_hash():
    stored = passwords.hash_password("correct horse battery", ROUNDS)
    assert stored.startswith("$2b$04$")
    assert passwords.verify_password("correct horse battery", stored)
    assert not passwords.verify_password("correct horse batterY", stored)


def test_every_byte_counts_past_bcrypts_72_byte_limit():
    prefix = "p" * 72
    stored = passwords.hash_password(prefix + "-one", ROUNDS)
    assert passwords.verify_password(prefix + "-one", stored)
    assert not passwords.verify_password(prefix + "-two", stored)  # plain bcrypt would accept this
    assert not passwords.verify_password(prefix, stored)


def test_long_multibyte_passwords_hash_without_error():
    password = "пароль-🔐" * 30  # far past 72 bytes in UTF-8
    assert passwords.verify_password(password, passwords.hash_password(password, ROUNDS))


def test_unicode_normalisation_makes_equivalent_input_equal():
    composed, decomposed = "caf\u00e9-secret-phrase", "cafe\u0301-secret-phrase"
    assert passwords.verify_password(decomposed, passwords.hash_password(composed, ROUNDS))


def test_malformed_stored_hash_never_verifies():
    assert not passwords.verify_password("anything at all", "not-a-bcrypt-hash")


def test_cost_is_read_and_rehash_needed_when_it_differs():
    stored = passwords.hash_password("correct horse battery", ROUNDS)
    assert passwords.hash_cost(stored) == ROUNDS
    assert not passwords.needs_rehash(stored, ROUNDS)
    assert passwords.needs_rehash(stored, 12)
    assert passwords.hash_cost("garbage") is None


def test_dummy_verification_is_a_real_bcrypt_check_at_the_configured_cost():
    # An unknown email must cost what a wrong password costs: one bcrypt check at the same cost,
    # against a hash that bcrypt accepts as well-formed (a malformed one would raise at once).
    for rounds in (ROUNDS, 12):
        dummy = passwords._dummy_hash(rounds)
        assert passwords.hash_cost(dummy.decode()) == rounds
        assert bcrypt.checkpw(b"whatever the user typed", dummy) is False
    passwords.spend_dummy_verification("whatever the user typed", ROUNDS)


def _weak(password: str, email: str | None = None) -> ApiError:
    with pytest.raises(ApiError) as excinfo:
        passwords.check_policy(password, email=email)
    assert excinfo.value.status == 400
    assert excinfo.value.code == "weak_password"
    assert excinfo.value.details["field"] == "password"
    return excinfo.value


def test_minimum_length_is_eight_characters():
    _weak("Ab1!xyz")
    passwords.check_policy("tr0ub4dor&3x")


@pytest.mark.parametrize("common", ["password", "Password1", "12345678", "qwerty123", "iloveyou", "P@ssw0rd"])
def test_common_passwords_are_refused_case_insensitively(common):
    assert "common" in _weak(common).message


def test_the_bundled_list_holds_the_top_100000_breached_passwords_of_eight_or_more_characters():
    # SecLists' 10-million list, top 100,000: its 8+ character entries (38,452 once lower-cased
    # and deduplicated) are bundled; the shorter ones already fail the length rule.
    common = passwords.common_passwords()
    assert 38_452 <= len(common) <= 40_000
    assert all(len(entry) >= passwords.MIN_PASSWORD_LENGTH for entry in common)
    assert all(not entry.startswith("#") for entry in common)
    for ranked in ("password", "trustno1", "07021954"):  # ranks 2, 37 and 99,996 of the source list
        assert ranked in common, ranked


@pytest.mark.parametrize("rare", ["07021954x", "correct horse battery staple", "tr0ub4dor&3x"])
def test_passwords_outside_the_list_pass(rare):
    passwords.check_policy(rare)


def test_password_equal_to_the_email_is_refused():
    _weak("Alice.Smith@example.com", email="alice.smith@example.com")
    _weak("alice.smith", email="alice.smith@example.com")


def test_whitespace_only_is_refused():
    _weak(" " * 12)


def test_dummy_hash_is_a_bcrypt_hash_at_the_configured_cost_that_nothing_matches():
    dummy = passwords._dummy_hash(12).decode()
    assert passwords.hash_cost(dummy) == 12
    assert not passwords.verify_password("", dummy)
    assert not passwords.verify_password("timing-equaliser", passwords._dummy_hash(ROUNDS).decode())
