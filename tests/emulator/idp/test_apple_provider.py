"""The Apple provider's rules, driven directly with an injected clock: codes, grants, revocation, faults."""

from __future__ import annotations

import hashlib
import re
import threading

import jwt
import pytest

from emulator.idp.apple import AppleProvider, AuthorizeRequest, OAuthError
from emulator.idp.apple.identity import access_token_hash
from emulator.idp.apple.keys import generate_developer_key

from .apple_helpers import START, Clock, decode, developer_key, form, provider, secret, signing_key

SUB = re.compile(r"^\d{6}\.[0-9a-f]{32}\.\d{4}$")


def _authorize(apple: AppleProvider, email: str = "ada@example.com", **fields) -> dict[str, str]:
    return apple.authorize(AuthorizeRequest.from_json({"email": email, "nonce": "raw-nonce", **fields}))


def _grant(apple: AppleProvider, clock: Clock, client_id: str, **fields: str) -> dict:
    return apple.token(form(client_id=client_id, client_secret=secret(clock, client_id), **fields))


def _exchange(apple: AppleProvider, clock: Clock, code: str, client_id: str = "demo-ios-auth") -> dict:
    return _grant(apple, clock, client_id, code=code, grant_type="authorization_code")


def _refresh(apple: AppleProvider, clock: Clock, token: str, client_id: str = "demo-ios-auth") -> dict:
    return _grant(apple, clock, client_id, refresh_token=token, grant_type="refresh_token")


def _revoke(
    apple: AppleProvider, clock: Clock, token: str, client_id: str = "demo-ios-auth", **extra: str
) -> None:
    apple.revoke(form(client_id=client_id, client_secret=secret(clock, client_id), token=token, **extra))


def _error_of(call, *args) -> tuple[str, int]:
    with pytest.raises(OAuthError) as raised:
        call(*args)
    return raised.value.error, raised.value.status


# -- the identity token ----------------------------------------------------------------------------
def test_identity_token_has_apples_claims_with_the_nonce_hashed():
    clock = Clock()
    authorization = _authorize(provider(clock), "Ada@Example.com")
    header = jwt.get_unverified_header(authorization["identityToken"])
    assert (header["alg"], header["kid"]) == ("RS256", signing_key().kid)
    claims = decode(authorization["identityToken"])
    assert claims["iss"] == "https://appleid.apple.com"
    assert claims["aud"] == "demo-ios-auth"
    assert claims["iat"] == claims["auth_time"] == int(START)
    assert claims["exp"] == int(START) + 600
    assert SUB.match(claims["sub"])
    assert claims["sub"] == authorization["user"]
    assert claims["email"] == "Ada@Example.com"
    assert claims["email_verified"] == "true"  # strings, as Apple often sends them
    assert claims["is_private_email"] == "false"
    assert claims["nonce"] == hashlib.sha256(b"raw-nonce").hexdigest()
    assert claims["nonce_supported"] is True
    assert claims["real_user_status"] == 2


def test_sub_is_stable_per_email_and_team():
    apple = provider()
    first = decode(_authorize(apple, "same@example.com")["identityToken"])["sub"]
    assert decode(_authorize(apple, "SAME@example.com")["identityToken"])["sub"] == first
    assert decode(_authorize(apple, "other@example.com")["identityToken"])["sub"] != first
    other_team = AppleProvider(signing_key(), generate_developer_key(), clock=Clock())
    assert decode(_authorize(other_team, "same@example.com")["identityToken"])["sub"] != first


def test_private_relay_address_is_stable_per_app_and_keeps_the_sub():
    apple = provider()
    real = decode(_authorize(apple, "hide@example.com")["identityToken"])
    relayed = decode(_authorize(apple, "hide@example.com", privateRelay=True)["identityToken"])
    again = decode(_authorize(apple, "hide@example.com", privateRelay=True)["identityToken"])
    other_app = decode(
        _authorize(apple, "hide@example.com", privateRelay=True, audience="com.example.other")[
            "identityToken"
        ],
        audience="com.example.other",
    )
    assert re.match(r"^[a-z0-9]{10}@privaterelay\.appleid\.com$", relayed["email"])
    assert relayed["email"] == again["email"] != other_app["email"]
    assert relayed["is_private_email"] == "true"
    assert relayed["sub"] == real["sub"] == other_app["sub"]


def test_overrides_for_negative_tests():
    clock = Clock()
    claims = decode(
        _authorize(provider(clock), audience="com.example.app", sub="001.custom.1")["identityToken"],
        audience="com.example.app",
    )
    assert (claims["aud"], claims["sub"]) == ("com.example.app", "001.custom.1")
    expired = _authorize(provider(clock), expiresIn=-60)["identityToken"]
    with pytest.raises(AssertionError, match="expired"):
        decode(expired)


# -- the authorization code ------------------------------------------------------------------------
def test_code_exchange_gives_apples_token_response():
    clock = Clock()
    apple = provider(clock)
    authorization = _authorize(apple, "code@example.com")
    clock.advance(10)
    tokens = _exchange(apple, clock, authorization["authorizationCode"])
    assert set(tokens) == {"access_token", "token_type", "expires_in", "refresh_token", "id_token"}
    assert (tokens["token_type"], tokens["expires_in"]) == ("Bearer", 3600)
    claims = decode(tokens["id_token"], now=clock.now)
    identity = decode(authorization["identityToken"])
    assert claims["sub"] == identity["sub"]
    assert claims["email"] == "code@example.com"
    assert claims["auth_time"] == int(START)
    assert claims["iat"] == int(START) + 10
    assert claims["nonce"] == identity["nonce"]
    assert claims["at_hash"] == access_token_hash(tokens["access_token"])


def test_a_code_is_single_use():
    clock = Clock()
    apple = provider(clock)
    code = _authorize(apple)["authorizationCode"]
    _exchange(apple, clock, code)
    assert _error_of(_exchange, apple, clock, code) == ("invalid_grant", 400)


def test_a_code_lives_five_minutes():
    clock = Clock()
    apple = provider(clock)
    fresh, stale = _authorize(apple)["authorizationCode"], _authorize(apple)["authorizationCode"]
    clock.advance(299)
    _exchange(apple, clock, fresh)
    clock.advance(1)
    assert _error_of(_exchange, apple, clock, stale) == ("invalid_grant", 400)


def test_a_code_is_bound_to_its_client_id_and_an_unknown_one_is_refused():
    clock = Clock()
    apple = provider(clock)
    code = _authorize(apple, audience="com.example.app")["authorizationCode"]
    assert _error_of(_exchange, apple, clock, code, "com.example.other") == ("invalid_grant", 400)
    assert _error_of(_exchange, apple, clock, code, "com.example.app") == ("invalid_grant", 400)  # consumed
    assert _error_of(_exchange, apple, clock, "c-never-issued") == ("invalid_grant", 400)


def test_one_code_presented_by_many_threads_at_once_is_exchanged_once():
    clock = Clock()
    apple = provider(clock)
    code = _authorize(apple)["authorizationCode"]
    requests = [
        form(
            client_id="demo-ios-auth", client_secret=secret(clock), code=code, grant_type="authorization_code"
        )
        for _ in range(8)
    ]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(requests))

    def present(fields: dict) -> None:
        barrier.wait()
        try:
            apple.token(fields)
            outcomes.append("ok")
        except OAuthError as exc:
            outcomes.append(exc.error)

    threads = [threading.Thread(target=present, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["invalid_grant"] * 7 + ["ok"]


# -- refresh ---------------------------------------------------------------------------------------
def test_a_refresh_token_gives_a_new_access_token_and_no_new_refresh_token():
    clock = Clock()
    apple = provider(clock)
    tokens = _exchange(apple, clock, _authorize(apple, "refresh@example.com")["authorizationCode"])
    clock.advance(86400)
    refreshed = _refresh(apple, clock, tokens["refresh_token"])
    assert set(refreshed) == {"access_token", "token_type", "expires_in", "id_token"}
    assert refreshed["access_token"] != tokens["access_token"]
    claims = decode(refreshed["id_token"], now=clock.now)
    assert claims["email"] == "refresh@example.com"
    assert "nonce" not in claims
    assert _error_of(_refresh, apple, clock, tokens["refresh_token"], "com.example.other") == (
        "invalid_grant",
        400,
    )
    assert _error_of(_refresh, apple, clock, "r-never-issued") == ("invalid_grant", 400)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({}, "invalid_request"),  # no grant_type
        ({"grant_type": "authorization_code"}, "invalid_request"),  # no code
        ({"grant_type": "refresh_token"}, "invalid_request"),  # no refresh_token
        ({"grant_type": "authorization_code", "code": "c", "refresh_token": "r"}, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "c", "redirect_uri": "https://x"}, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "c", "scope": "email"}, "invalid_request"),
    ],
)
def test_malformed_token_requests(fields, error):
    clock = Clock()
    apple = provider(clock)
    request = form(client_id="demo-ios-auth", client_secret=secret(clock), **fields)
    assert _error_of(apple.token, request) == (error, 400)


def test_a_parameter_given_twice_is_invalid_request():
    clock = Clock()
    request = form(client_id="demo-ios-auth", client_secret=secret(clock), grant_type="authorization_code")
    request["code"] = ["c1", "c2"]
    assert _error_of(provider(clock).token, request) == ("invalid_request", 400)


# -- revocation ------------------------------------------------------------------------------------
def test_revoking_a_refresh_token_records_whose_it_was_and_ends_the_grant():
    clock = Clock()
    apple = provider(clock)
    authorization = _authorize(apple, "bye@example.com", privateRelay=True)
    tokens = _exchange(apple, clock, authorization["authorizationCode"])
    clock.advance(5)
    _revoke(apple, clock, tokens["refresh_token"], token_type_hint="refresh_token")
    [record] = apple.revocations()
    claims = decode(authorization["identityToken"])
    assert record == {
        "sub": claims["sub"],
        "email": claims["email"],
        "clientId": "demo-ios-auth",
        "tokenType": "refresh_token",
        "revokedAt": "2027-01-15T08:00:05.000Z",
    }
    assert tokens["refresh_token"] not in str(record)
    assert _error_of(_refresh, apple, clock, tokens["refresh_token"]) == ("invalid_grant", 400)


def test_revoking_an_access_token_revokes_the_authorization_too():
    clock = Clock()
    apple = provider(clock)
    tokens = _exchange(apple, clock, _authorize(apple)["authorizationCode"])
    _revoke(apple, clock, tokens["access_token"])  # no hint: found anyway
    assert apple.revocations()[0]["tokenType"] == "access_token"
    assert _error_of(_refresh, apple, clock, tokens["refresh_token"]) == ("invalid_grant", 400)


def test_an_unknown_or_expired_token_is_revoked_quietly_and_recorded_as_unknown():
    clock = Clock()
    apple = provider(clock)
    tokens = _exchange(apple, clock, _authorize(apple)["authorizationCode"])
    _revoke(apple, clock, "never-issued")
    clock.advance(3600)
    _revoke(apple, clock, tokens["access_token"], token_type_hint="access_token")
    assert [(r["sub"], r["email"], r["tokenType"]) for r in apple.revocations()] == [
        (None, None, "unknown")
    ] * 2


def test_revocation_errors():
    clock = Clock()
    apple = provider(clock)
    tokens = _exchange(apple, clock, _authorize(apple)["authorizationCode"])
    assert _error_of(_revoke, apple, clock, tokens["refresh_token"], "com.example.other") == (
        "invalid_grant",
        400,
    )
    bad_secret = form(client_id="demo-ios-auth", client_secret="nope", token=tokens["refresh_token"])
    assert _error_of(apple.revoke, bad_secret) == ("invalid_client", 400)
    no_token = form(client_id="demo-ios-auth", client_secret=secret(clock))
    assert _error_of(apple.revoke, no_token) == ("invalid_request", 400)
    bad_hint = form(
        client_id="demo-ios-auth", client_secret=secret(clock), token="t", token_type_hint="id_token"
    )
    assert _error_of(apple.revoke, bad_hint) == ("invalid_request", 400)
    assert apple.revocations() == []


def test_revocations_filter_by_sub():
    clock = Clock()
    apple = provider(clock)
    for email in ("one@example.com", "two@example.com"):
        _revoke(
            apple,
            clock,
            _exchange(apple, clock, _authorize(apple, email)["authorizationCode"])["refresh_token"],
        )
    two = apple.revocations()[1]["sub"]
    assert [r["email"] for r in apple.revocations(two)] == ["two@example.com"]


# -- faults ----------------------------------------------------------------------------------------
def test_injected_faults_fail_the_next_n_calls_with_503_then_clear():
    clock = Clock()
    apple = provider(clock)
    tokens = _exchange(apple, clock, _authorize(apple)["authorizationCode"])
    assert apple.set_faults({"revoke": 2}) == {"revoke": 2, "token": 0}
    for _ in range(2):
        assert _error_of(_revoke, apple, clock, tokens["refresh_token"]) == ("temporarily_unavailable", 503)
    _revoke(apple, clock, tokens["refresh_token"])
    assert len(apple.revocations()) == 1  # failed calls revoke nothing

    apple.set_faults({"token": 5})
    assert _error_of(_refresh, apple, clock, "r") == ("temporarily_unavailable", 503)
    apple.set_faults({"token": 0})
    assert _error_of(_refresh, apple, clock, "r") == ("invalid_grant", 400)
    assert apple.faults() == {"revoke": 0, "token": 0}


# -- persistence -----------------------------------------------------------------------------------
def test_grants_and_revocations_survive_a_restart_with_a_data_dir(tmp_path):
    clock = Clock()
    before = provider(clock, data_dir=tmp_path)
    kept = _exchange(before, clock, _authorize(before, "kept@example.com")["authorizationCode"])
    gone = _exchange(before, clock, _authorize(before, "gone@example.com")["authorizationCode"])
    _revoke(before, clock, gone["refresh_token"])

    after = provider(clock, data_dir=tmp_path)
    assert decode(_refresh(after, clock, kept["refresh_token"])["id_token"])["email"] == "kept@example.com"
    assert _error_of(_refresh, after, clock, gone["refresh_token"]) == ("invalid_grant", 400)
    _revoke(after, clock, kept["access_token"])
    assert [(r["email"], r["tokenType"]) for r in after.revocations()] == [
        ("gone@example.com", "refresh_token"),
        ("kept@example.com", "access_token"),
    ]
    journal = (tmp_path / "idp" / "apple-grants.jsonl").read_text()
    assert kept["refresh_token"] not in journal
    assert kept["access_token"] not in journal
    assert (tmp_path / "idp" / "apple-grants.jsonl").stat().st_mode & 0o077 == 0


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path, capsys):
    clock = Clock()
    before = provider(clock, data_dir=tmp_path)
    kept = _exchange(before, clock, _authorize(before)["authorizationCode"])
    with (tmp_path / "idp" / "apple-grants.jsonl").open("a") as journal:
        journal.write('{"grant": {"id": "half')
    after = provider(clock, data_dir=tmp_path)
    assert "not a JSON line" in capsys.readouterr().err
    _refresh(after, clock, kept["refresh_token"])


def test_the_developer_key_is_apples_shape():
    key = developer_key()
    assert re.match(r"^[A-Z0-9]{10}$", key.team_id)
    assert re.match(r"^[A-Z0-9]{10}$", key.key_id)
    assert key.private_key.curve.name == "secp256r1"
    assert key.private_pem().startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, like a .p8
