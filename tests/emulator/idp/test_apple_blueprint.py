"""The Apple provider's HTTP face through the Flask test client, and its keys on disk."""

from __future__ import annotations

import json

import jwt
import pytest
from flask import Flask

from emulator.errors import UserError
from emulator.idp import load_or_create_signing_key
from emulator.idp.apple import blueprint, load_or_create_developer_key, provider_for
from emulator.idp.apple.keys import load_or_create_apple_signing_key

from .apple_helpers import Clock, provider, secret

PREFIX = "/_emulator/idp/apple"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(clock: Clock):
    app = Flask(__name__)
    app.register_blueprint(blueprint(provider(clock)))
    return app.test_client()


def _authorize(client, **body):
    response = client.post(f"{PREFIX}/authorize", json={"email": "web@example.com", "nonce": "n", **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_keys_are_a_jwks_of_one_rs256_key_that_verifies_identity_tokens(client):
    keys = client.get(f"{PREFIX}/auth/keys").get_json()["keys"]
    assert len(keys) == 1
    assert {k: keys[0][k] for k in ("kty", "alg", "use")} == {"kty": "RSA", "alg": "RS256", "use": "sig"}
    assert "d" not in keys[0]
    token = _authorize(client)["identityToken"]
    assert jwt.get_unverified_header(token)["kid"] == keys[0]["kid"]
    claims = jwt.decode(
        token,
        jwt.PyJWK.from_dict(keys[0]).key,
        algorithms=["RS256"],
        audience="demo-ios-auth",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["email"] == "web@example.com"


def test_token_and_revoke_speak_form_encoding_and_oauth_errors(client, clock):
    authorization = _authorize(client)
    fields = {
        "client_id": "demo-ios-auth",
        "client_secret": secret(clock),
        "code": authorization["authorizationCode"],
        "grant_type": "authorization_code",
    }
    as_json = client.post(f"{PREFIX}/auth/token", json=fields)
    assert as_json.status_code == 400
    assert as_json.get_json()["error"] == "invalid_request"
    in_query = client.post(f"{PREFIX}/auth/token", query_string=fields, data={})
    assert in_query.get_json()["error"] == "invalid_request"

    tokens = client.post(f"{PREFIX}/auth/token", data=fields)
    assert tokens.status_code == 200
    assert tokens.headers["Cache-Control"] == "no-store"
    assert set(tokens.get_json()) == {"access_token", "token_type", "expires_in", "refresh_token", "id_token"}
    again = client.post(f"{PREFIX}/auth/token", data=fields)
    assert again.status_code == 400
    assert again.get_json() == {
        "error": "invalid_grant",
        "error_description": "The code has expired or has been revoked.",
    }

    revoke = {
        "client_id": "demo-ios-auth",
        "client_secret": secret(clock),
        "token": tokens.get_json()["refresh_token"],
    }
    revoked = client.post(f"{PREFIX}/auth/revoke", data={**revoke, "token_type_hint": "refresh_token"})
    assert (revoked.status_code, revoked.data) == (200, b"")
    unknown = client.post(f"{PREFIX}/auth/revoke", data={**revoke, "token": "never-issued"})
    assert (unknown.status_code, unknown.data) == (200, b"")
    bad_client = client.post(f"{PREFIX}/auth/revoke", data={**revoke, "client_secret": "x"})
    assert (bad_client.status_code, bad_client.get_json()["error"]) == (400, "invalid_client")

    listed = client.get(f"{PREFIX}/revocations").get_json()
    assert [(r["email"], r["tokenType"]) for r in listed] == [
        ("web@example.com", "refresh_token"),
        (None, "unknown"),
    ]
    sub = authorization["user"]
    assert [r["sub"] for r in client.get(f"{PREFIX}/revocations", query_string={"sub": sub}).get_json()] == [
        sub
    ]
    assert client.get(f"{PREFIX}/revocations", query_string={"email": "x"}).status_code == 400


def test_faults_make_revoke_answer_503_then_clear(client, clock):
    revoke = {"client_id": "demo-ios-auth", "client_secret": secret(clock), "token": "t"}
    assert client.post(f"{PREFIX}/faults", json={"revoke": 1}).get_json() == {"revoke": 1, "token": 0}
    failed = client.post(f"{PREFIX}/auth/revoke", data=revoke)
    assert failed.status_code == 503
    assert failed.get_json()["error"] == "temporarily_unavailable"
    assert client.post(f"{PREFIX}/auth/revoke", data=revoke).status_code == 200
    client.post(f"{PREFIX}/faults", json={"revoke": 3})
    assert client.post(f"{PREFIX}/faults", json={"revoke": 0}).get_json()["revoke"] == 0
    assert client.get(f"{PREFIX}/faults").get_json() == {"revoke": 0, "token": 0}
    assert client.post(f"{PREFIX}/auth/revoke", data=revoke).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"login": 1}, "login"),
        ({"revoke": -1}, "revoke"),
        ({"revoke": True}, "revoke"),
        ({"revoke": "2"}, "revoke"),
        ({"revoke": 10_000}, "revoke"),
    ],
)
def test_bad_fault_requests_are_400_naming_the_field(client, body, field):
    response = client.post(f"{PREFIX}/faults", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@example.com"}, "nonce"),
        ({"email": "a@example.com", "nonce": ""}, "nonce"),
        ({"nonce": "n"}, "email"),
        ({"email": "no-at-sign", "nonce": "n"}, "email"),
        ({"email": "a@example.com", "nonce": "n", "privateRelay": "yes"}, "privateRelay"),
        ({"email": "a@example.com", "nonce": "n", "expiresIn": 1.5}, "expiresIn"),
        ({"email": "a@example.com", "nonce": "n", "audience": ""}, "audience"),
        ({"email": "a@example.com", "nonce": "n", "fullName": "Ada"}, "fullName"),
        (["a@example.com"], "body"),
    ],
)
def test_bad_authorize_requests_are_400_naming_the_field(client, body, field):
    response = client.post(f"{PREFIX}/authorize", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], error["details"]["field"]) == ("validation_error", field)


def test_authorize_wants_json(client):
    assert client.post(f"{PREFIX}/authorize", data={"email": "a@example.com"}).status_code == 415
    bad = client.post(f"{PREFIX}/authorize", data="{", content_type="application/json")
    assert bad.get_json()["error"]["code"] == "invalid_json"


def test_keys_are_persisted_in_the_data_dir_apart_from_googles(tmp_path):
    first = provider_for(tmp_path)
    again = provider_for(tmp_path)
    assert again.signing_key.kid == first.signing_key.kid
    assert again.developer_key.document() == first.developer_key.document()
    assert first.signing_key.kid != load_or_create_signing_key(tmp_path).kid  # not the Google provider's
    for name in ("apple-signing-key.pem", "apple-developer-key.json"):
        assert (tmp_path / "idp" / name).stat().st_mode & 0o077 == 0
    document = json.loads((tmp_path / "idp" / "apple-developer-key.json").read_text())
    assert set(document) == {"teamId", "keyId", "privateKeyPem"}
    assert provider_for(None).developer_key.team_id != provider_for(None).developer_key.team_id


@pytest.mark.parametrize(
    "content",
    ["garbage", '{"teamId": "x"}', '{"teamId": "ABCDEFGHIJ", "keyId": "ABCDEFGHIJ", "privateKeyPem": "no"}'],
)
def test_an_unusable_developer_key_file_is_a_one_line_user_error(tmp_path, content):
    (tmp_path / "idp").mkdir()
    (tmp_path / "idp" / "apple-developer-key.json").write_text(content)
    with pytest.raises(UserError, match=r"apple-developer-key\.json"):
        load_or_create_developer_key(tmp_path)


def test_an_rsa_key_is_not_a_developer_key(tmp_path):
    rsa_pem = load_or_create_apple_signing_key(tmp_path).private_pem().decode()
    document = {"teamId": "ABCDEFGHIJ", "keyId": "ABCDEFGHIJ", "privateKeyPem": rsa_pem}
    (tmp_path / "idp" / "apple-developer-key.json").write_text(json.dumps(document))
    with pytest.raises(UserError, match="P-256"):
        load_or_create_developer_key(tmp_path)
