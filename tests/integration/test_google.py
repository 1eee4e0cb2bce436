"""POST /auth/google with tokens from the local identity provider (real RS256 signatures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration import forge
from tests.integration.api import Api, assert_error, assert_token_response, first_limited, unique_email

pytestmark = pytest.mark.local_idp


def mint(idp_url: str, email: str, **overrides: Any) -> str:
    response = requests.post(f"{idp_url}/token", json={"email": email, **overrides}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["idToken"]


def test_new_google_user_is_created(api: Api, idp_url: str):
    email = unique_email("google")
    response = api.google_response(mint(idp_url, email, name="Gina Google"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert_token_response(body, email=email)
    assert body["isNewUser"] is True
    assert "google" in body["user"]["authProviders"]
    assert body["user"]["emailVerified"] is True
    assert api.validate(body["accessToken"]).status_code == 200

    again = api.google_response(mint(idp_url, email))
    assert again.status_code == 200, again.text
    assert again.json()["isNewUser"] is False
    assert again.json()["user"]["userId"] == body["user"]["userId"]


def test_the_verified_owner_takes_over_an_account_registered_with_their_email(api: Api, idp_url: str):
    # Pre-account takeover: someone registers the victim's address with a password of theirs, and
    # never verifies it. When the owner signs in with Google, the attacker must lose all access.
    attacker = api.new_account("victim")
    attacker_login = api.login(attacker)
    response = api.google_response(mint(idp_url, attacker.email))
    assert response.status_code == 200, response.text
    owner = response.json()
    assert owner["user"]["userId"] == attacker.user["userId"]  # the account, with its address
    assert owner["isNewUser"] is False
    assert owner["user"]["authProviders"] == ["google"]  # the password is gone
    assert owner["user"]["emailVerified"] is True
    assert_error(api.login_response(attacker.email, attacker.password), 401, "invalid_credentials")
    for session in (attacker.signup, attacker_login.body):
        assert api.validate(session["accessToken"]).status_code == 401
        assert_error(api.refresh_response(session["refreshToken"]), 401, "invalid_refresh_token")
    assert api.validate(owner["accessToken"]).status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"audience": "some-other-project"},
        {"issuer": "https://securetoken.google.com/some-other-project"},
        {"issuer": "https://accounts.evil.example.com"},
        {"expiresIn": -120},
        {"emailVerified": False},
        {"sub": ""},
    ],
    ids=["wrong-aud", "wrong-iss-project", "wrong-iss", "expired", "unverified-email", "empty-sub"],
)
def test_bad_id_tokens_are_refused(api: Api, idp_url: str, overrides: dict):
    token = mint(idp_url, unique_email("badgoogle"), **overrides)
    assert_error(api.google_response(token), 401, "invalid_id_token")


def test_an_unverified_google_email_takes_nothing_over(api: Api, idp_url: str):
    account = api.new_account("takeover")
    token = mint(idp_url, account.email, emailVerified=False)
    assert_error(api.google_response(token), 401, "invalid_id_token")
    assert "google" not in api.login(account).user["authProviders"]


def test_forged_id_tokens_are_refused(api: Api, idp_url: str):
    email = unique_email("forged")
    genuine = mint(idp_url, email)
    victim = unique_email("victim")
    for forged in (
        forge.unsigned(genuine),
        forge.unsigned(genuine, "None"),
        forge.tampered_payload(genuine, email=victim),
        forge.resigned_rs256(genuine, email=victim),
        forge.resigned_es256(genuine, email=victim),
        forge.hs256_with_secret(genuine, forge.public_key_secrets(_idp_jwk(idp_url, genuine))[0]),
    ):
        assert_error(api.google_response(forged), 401, "invalid_id_token")


def test_id_token_without_kid_is_refused(api: Api, idp_url: str):
    genuine = mint(idp_url, unique_email("nokid"))
    header, _payload, signature = forge.split(genuine)
    header.pop("kid")
    no_kid = f"{forge.b64url_json(header)}.{genuine.split('.')[1]}.{signature}"
    assert_error(api.google_response(no_kid), 401, "invalid_id_token")


def _idp_jwk(idp_url: str, token: str) -> dict:
    kid = forge.split(token)[0]["kid"]
    keys = requests.get(f"{idp_url}/jwks.json", timeout=30).json()["keys"]
    return next(key for key in keys if key["kid"] == kid)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "validation_error"),
        ({"idToken": 42}, 400, "validation_error"),
        ({"idToken": "not-a-jwt"}, 401, "invalid_id_token"),
        ({"idToken": "a.b.c"}, 401, "invalid_id_token"),
        ({"firebaseUid": "someone", "email": "a@example.com"}, 400, "validation_error"),
    ],
)
def test_google_body_validation(api: Api, body: dict, status: int, code: str):
    error = assert_error(api.post("/auth/google", body), status, code)
    if code == "validation_error":
        assert error["details"]["field"] in ("idToken", "firebaseUid", "email"), error


def test_google_only_user_deletes_the_account_with_a_fresh_id_token(api: Api, idp_url: str):
    email = unique_email("gdelete")
    first = api.google_response(mint(idp_url, email))
    assert first.status_code == 200, first.text
    access = first.json()["accessToken"]
    token = mint(idp_url, email)
    api.ledger.add(token)
    assert api.delete("/users/me", {"idToken": token}, token=access).status_code == 204
    assert api.validate(access).status_code == 401
    again = api.google_response(mint(idp_url, email))
    assert again.status_code == 200, again.text
    assert again.json()["isNewUser"] is True


def test_google_only_user_cannot_delete_with_another_users_id_token(api: Api, idp_url: str):
    email = unique_email("gdel2")
    first = api.google_response(mint(idp_url, email))
    access = first.json()["accessToken"]
    someone_else = mint(idp_url, unique_email("gdel3"))
    response = api.delete("/users/me", {"idToken": someone_else}, token=access)
    assert response.status_code == 401, response.text
    assert api.validate(access).status_code == 200


def test_idp_token_cli_mints_a_token_the_backend_accepts(api: Api, idp_url: str):
    """``python -m emulator idp-token EMAIL --url ROOT`` (the documented way to get a token by hand)."""
    assert idp_url.endswith("/_emulator/idp"), idp_url
    root_url = idp_url[: -len("/_emulator/idp")]
    email = unique_email("cli")
    proc = subprocess.run(
        [sys.executable, "-m", "emulator", "idp-token", email, "--url", root_url, "--name", "Cli User"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    response = api.google_response(proc.stdout.strip())
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == email


@pytest.mark.distinct_ips
def test_per_ip_google_sign_in_limit(make_api, target, idp_url: str):
    # A first Google sign-in creates an account: limited per source address like a registration,
    # checked before the ID token is looked at.
    limit = target.google_ip_limit
    client = make_api()
    index, limited = first_limited(lambda: client.google_response(mint(idp_url, unique_email("gipl"))), limit)
    assert index >= limit, f"limited after {index} sign-ins, the limit is {limit}"
    assert_error(limited, 429, "rate_limited")
    assert limited.headers.get("Retry-After", "").isdigit(), limited.headers
    assert make_api().google_response(mint(idp_url, unique_email("gipl"))).status_code == 200
