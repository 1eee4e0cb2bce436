"""POST /auth/apple with credentials from the local Sign in with Apple provider (issue 11).

The provider at ``/_emulator/idp/apple`` stands in for the device (``/authorize`` returns what
``ASAuthorizationAppleIDProvider`` gives the app) and for Apple's REST API (token, revoke, keys),
checking the backend's client secret as Apple does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from tests.integration.api import Api, assert_error, assert_token_response, first_limited, unique_email

pytestmark = pytest.mark.local_idp


def authorize(apple_idp_url: str, email: str, nonce: str | None = None, **options: Any) -> dict[str, Any]:
    """What the app gets from Sign in with Apple, and the raw nonce it generated."""
    nonce = nonce or uuid.uuid4().hex
    response = requests.post(
        f"{apple_idp_url}/authorize", json={"email": email, "nonce": nonce, **options}, timeout=30
    )
    assert response.status_code == 200, response.text
    return {**response.json(), "nonce": nonce}


def apple(api: Api, credential: dict[str, Any], **extra: Any) -> requests.Response:
    body = {key: credential[key] for key in ("identityToken", "authorizationCode", "nonce")}
    api.ledger.add(credential["identityToken"], credential["authorizationCode"])
    response = api.post("/auth/apple", {**body, **extra})
    api._remember_tokens(response)
    return response


def revocations(apple_idp_url: str) -> list[dict[str, Any]]:
    response = requests.get(f"{apple_idp_url}/revocations", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_new_apple_user_is_created_with_the_name_apple_sends_once(api: Api, apple_idp_url: str):
    email = unique_email("apple")
    first = apple(
        api, authorize(apple_idp_url, email), fullName={"givenName": "Ada", "familyName": "Lovelace"}
    )
    assert first.status_code == 200, first.text
    body = first.json()
    assert_token_response(body, email=email)
    assert body["isNewUser"] is True
    assert body["user"]["authProviders"] == ["apple"]
    assert body["user"]["emailVerified"] is True
    assert body["user"]["displayName"] == "Ada Lovelace"
    assert (body["user"]["profile"]["firstName"], body["user"]["profile"]["lastName"]) == ("Ada", "Lovelace")
    assert api.validate(body["accessToken"]).status_code == 200

    # Later sign-ins: the same user; a name sent again is not taken (Apple sends it only once).
    again = apple(
        api, authorize(apple_idp_url, email), fullName={"givenName": "Someone", "familyName": "Else"}
    )
    assert again.status_code == 200, again.text
    assert again.json()["isNewUser"] is False
    assert again.json()["user"]["userId"] == body["user"]["userId"]
    assert again.json()["user"]["displayName"] == "Ada Lovelace"


def test_a_private_relay_address_is_an_ordinary_verified_email(api: Api, apple_idp_url: str):
    credential = authorize(apple_idp_url, unique_email("relay"), privateRelay=True)
    claims = jwt.decode(credential["identityToken"], options={"verify_signature": False})
    assert claims["email"].endswith("@privaterelay.appleid.com")
    assert claims["email_verified"] in ("true", True)
    response = apple(api, credential)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == claims["email"].lower()
    assert response.json()["user"]["emailVerified"] is True


def test_the_nonce_must_be_the_one_the_token_was_made_for(api: Api, apple_idp_url: str):
    credential = authorize(apple_idp_url, unique_email("nonce"))
    assert_error(apple(api, {**credential, "nonce": "another-raw-nonce"}), 401, "invalid_id_token")


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"audience": "com.someone.else"}, "invalid_id_token"),
        ({"expiresIn": -120}, "invalid_id_token"),
    ],
    ids=["other-app", "expired"],
)
def test_bad_identity_tokens_are_refused(api: Api, apple_idp_url: str, options: dict, code: str):
    assert_error(apple(api, authorize(apple_idp_url, unique_email("badapple"), **options)), 401, code)


def test_an_authorization_code_works_once(api: Api, apple_idp_url: str):
    email = unique_email("codeonce")
    credential = authorize(apple_idp_url, email)
    assert apple(api, credential).status_code == 200
    assert_error(apple(api, credential), 401, "invalid_authorization_code")


def test_a_code_of_another_apple_id_is_refused(api: Api, apple_idp_url: str):
    mine, theirs = (
        authorize(apple_idp_url, unique_email("mine")),
        authorize(apple_idp_url, unique_email("theirs")),
    )
    mixed = {**mine, "authorizationCode": theirs["authorizationCode"]}
    assert_error(apple(api, mixed), 401, "invalid_id_token")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "identityToken"),
        ({"identityToken": "a.b.c", "authorizationCode": "c"}, "nonce"),
        ({"identityToken": "a.b.c", "authorizationCode": "c", "nonce": "n", "fullName": "Ada"}, "fullName"),
        ({"identityToken": "a.b.c", "authorizationCode": "c", "nonce": "n", "user": "x"}, "user"),
    ],
)
def test_apple_body_validation(api: Api, body: dict, field: str):
    assert_error(api.post("/auth/apple", body), 400, "validation_error", field=field)


def test_the_verified_owner_takes_over_an_account_registered_with_their_email(api: Api, apple_idp_url: str):
    attacker = api.new_account("applevictim")
    response = apple(api, authorize(apple_idp_url, attacker.email))
    assert response.status_code == 200, response.text
    assert response.json()["user"]["userId"] == attacker.user["userId"]
    assert response.json()["user"]["authProviders"] == ["apple"]
    assert_error(api.login_response(attacker.email, attacker.password), 401, "invalid_credentials")
    assert api.validate(attacker.signup["accessToken"]).status_code == 401


def test_deleting_an_apple_account_revokes_its_apple_tokens(api: Api, apple_idp_url: str):
    email = unique_email("appledelete")
    signed_in = apple(api, authorize(apple_idp_url, email))
    assert signed_in.status_code == 200, signed_in.text
    sub = jwt.decode(authorize(apple_idp_url, email)["identityToken"], options={"verify_signature": False})[
        "sub"
    ]
    fresh = authorize(apple_idp_url, email)  # an Apple-only account confirms with a fresh credential
    body = {key: fresh[key] for key in ("identityToken", "authorizationCode", "nonce")}
    deleted = api.delete("/users/me", body, token=signed_in.json()["accessToken"])
    assert deleted.status_code == 204, deleted.text
    revoked = [entry for entry in revocations(apple_idp_url) if entry["sub"] == sub]
    assert len(revoked) == 2, revoked  # the stored refresh token, and the one the fresh code gave
    assert {entry["tokenType"] for entry in revoked} == {"refresh_token"}
    assert api.validate(signed_in.json()["accessToken"]).status_code == 401


def test_an_apple_only_account_is_not_deleted_with_another_apple_ids_credential(api: Api, apple_idp_url: str):
    signed_in = apple(api, authorize(apple_idp_url, unique_email("appledel2")))
    other = authorize(apple_idp_url, unique_email("appledel3"))
    body = {key: other[key] for key in ("identityToken", "authorizationCode", "nonce")}
    assert_error(
        api.delete("/users/me", body, token=signed_in.json()["accessToken"]), 401, "invalid_id_token"
    )
    assert api.validate(signed_in.json()["accessToken"]).status_code == 200


def test_a_failing_revocation_is_retried_and_the_deletion_completes(api: Api, apple_idp_url: str):
    email = unique_email("applefail")
    signed_in = apple(api, authorize(apple_idp_url, email))
    sub = jwt.decode(authorize(apple_idp_url, email)["identityToken"], options={"verify_signature": False})[
        "sub"
    ]
    fresh = authorize(apple_idp_url, email)
    # Apple fails twice: the first revocation succeeds at its third try; the second then goes through.
    assert requests.post(f"{apple_idp_url}/faults", json={"revoke": 2}, timeout=30).status_code in (200, 204)
    body = {key: fresh[key] for key in ("identityToken", "authorizationCode", "nonce")}
    assert api.delete("/users/me", body, token=signed_in.json()["accessToken"]).status_code == 204
    assert len([e for e in revocations(apple_idp_url) if e["sub"] == sub]) == 2


@pytest.mark.local_email
def test_a_password_account_linked_to_apple_revokes_on_deletion_by_password(
    api: Api, apple_idp_url: str, mailbox
):
    account = api.new_account("applelinked")
    assert api.verify_email(account.signup["accessToken"], mailbox.code(account.email)).status_code == 200
    linked = apple(api, authorize(apple_idp_url, account.email))
    assert set(linked.json()["user"]["authProviders"]) == {"password", "apple"}
    sub = jwt.decode(
        authorize(apple_idp_url, account.email)["identityToken"], options={"verify_signature": False}
    )["sub"]
    token = api.login(account).access
    assert api.delete("/users/me", {"password": account.password}, token=token).status_code == 204
    assert len([e for e in revocations(apple_idp_url) if e["sub"] == sub]) == 1


def test_idp_token_cli_gives_a_credential_the_backend_accepts(api: Api, apple_idp_url: str):
    root_url = apple_idp_url.removesuffix("/_emulator/idp/apple")
    email, nonce = unique_email("applecli"), uuid.uuid4().hex
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "emulator",
            "idp-token",
            "--provider",
            "apple",
            email,
            "--nonce",
            nonce,
            "--url",
            root_url,
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    credential = {**json.loads(proc.stdout), "nonce": nonce}
    response = apple(api, credential)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == email


@pytest.mark.distinct_ips
def test_per_ip_apple_sign_in_limit(make_api, target, apple_idp_url: str):
    limit = target.apple_ip_limit
    client = make_api()
    index, limited = first_limited(
        lambda: apple(client, authorize(apple_idp_url, unique_email("aipl"))), limit
    )
    assert index >= limit, f"limited after {index} sign-ins, the limit is {limit}"
    assert_error(limited, 429, "rate_limited")
