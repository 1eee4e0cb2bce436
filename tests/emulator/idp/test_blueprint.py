"""The identity provider's own logic, through its Flask Blueprint (test client) and PyJWT."""

from __future__ import annotations

import time

import jwt
import pytest
from flask import Flask

from emulator.idp import DEFAULT_AUDIENCE, DEFAULT_ISSUER, blueprint, load_or_create_signing_key


@pytest.fixture(scope="module")
def app() -> Flask:
    flask_app = Flask(__name__)
    flask_app.register_blueprint(blueprint())
    return flask_app


@pytest.fixture
def client(app: Flask):
    return app.test_client()


def _verify(client, token: str, **options) -> dict:
    jwks = jwt.PyJWKSet.from_dict(client.get("/_emulator/idp/jwks.json").get_json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid)
    return jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=options.get("audience", DEFAULT_AUDIENCE),
        issuer=options.get("issuer", DEFAULT_ISSUER),
    )


def _mint(client, **body) -> str:
    response = client.post("/_emulator/idp/token", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["idToken"]


def test_jwks_publishes_one_rsa_signing_key_with_kid(client):
    response = client.get("/_emulator/idp/jwks.json")
    assert response.status_code == 200
    keys = response.get_json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert key["kid"]
    assert "d" not in key
    assert "p" not in key
    # RSA-2048: the modulus is 256 bytes.
    n = jwt.PyJWK.from_dict(key).key.public_numbers().n
    assert n.bit_length() == 2048
    cache_control = response.headers["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=" in cache_control


def test_token_has_the_firebase_id_token_shape_and_verifies_against_the_jwks(client):
    token = _mint(client, email="Ada@Example.com", name="Ada Lovelace")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    claims = _verify(client, token)
    assert claims["iss"] == "https://securetoken.google.com/demo-ios-auth"
    assert claims["aud"] == "demo-ios-auth"
    assert claims["email"] == "Ada@Example.com"
    assert claims["email_verified"] is True
    assert claims["name"] == "Ada Lovelace"
    assert claims["sub"]
    assert claims["sub"] == claims["user_id"]
    assert claims["firebase"]["sign_in_provider"] == "google.com"
    assert claims["firebase"]["identities"]["email"] == ["Ada@Example.com"]
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["auth_time"] <= claims["iat"]
    assert abs(claims["iat"] - time.time()) < 300


def test_same_email_gets_the_same_subject_and_different_emails_differ(client):
    first = _verify(client, _mint(client, email="same@example.com"))
    again = _verify(client, _mint(client, email="SAME@example.com"))
    other = _verify(client, _mint(client, email="other@example.com"))
    assert first["sub"] == again["sub"]
    assert first["sub"] != other["sub"]
    assert len(first["sub"]) == 28


def test_overrides_for_negative_tests(client):
    token = _mint(
        client,
        email="neg@example.com",
        audience="someone-else",
        issuer="https://evil.example.com",
        sub="custom-sub",
        emailVerified=False,
    )
    claims = _verify(client, token, audience="someone-else", issuer="https://evil.example.com")
    assert claims["sub"] == "custom-sub" == claims["user_id"]
    assert claims["email_verified"] is False
    with pytest.raises(jwt.InvalidAudienceError):
        _verify(client, token, issuer="https://evil.example.com")
    with pytest.raises(jwt.InvalidIssuerError):
        _verify(client, token, audience="someone-else")


def test_negative_expires_in_mints_an_expired_but_well_signed_token(client):
    token = _mint(client, email="old@example.com", expiresIn=-120)
    with pytest.raises(jwt.ExpiredSignatureError):
        _verify(client, token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] < time.time()
    assert claims["iat"] < claims["exp"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": 42}, "email"),
        ({"email": "a@example.com", "emailVerified": "yes"}, "emailVerified"),
        ({"email": "a@example.com", "expiresIn": "3600"}, "expiresIn"),
        ({"email": "a@example.com", "expiresIn": True}, "expiresIn"),
        ({"email": "a@example.com", "audience": ["x"]}, "audience"),
        ({"email": "a@example.com", "password": "x"}, "password"),
        ([1, 2], "body"),
    ],
)
def test_bad_token_requests_are_400_naming_the_field(client, body, field):
    response = client.post("/_emulator/idp/token", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["field"] == field


def test_malformed_json_and_wrong_content_type(client):
    bad_json = client.post("/_emulator/idp/token", data="{nope", content_type="application/json")
    assert bad_json.status_code == 400
    assert bad_json.get_json()["error"]["code"] == "invalid_json"
    form = client.post("/_emulator/idp/token", data={"email": "a@example.com"})
    assert form.status_code == 415
    assert form.get_json()["error"]["code"] == "unsupported_media_type"


def test_key_is_persisted_in_the_data_dir_and_reused(tmp_path):
    first = load_or_create_signing_key(tmp_path)
    key_file = tmp_path / "idp" / "signing-key.pem"
    assert key_file.exists()
    assert key_file.stat().st_mode & 0o077 == 0  # private key: owner-only
    again = load_or_create_signing_key(tmp_path)
    assert again.kid == first.kid
    assert again.public_jwk() == first.public_jwk()

    # A token minted before a "restart" verifies against the JWKS served after it.
    before = Flask("before")
    before.register_blueprint(blueprint(tmp_path))
    token = _mint(before.test_client(), email="keep@example.com")
    after = Flask("after")
    after.register_blueprint(blueprint(tmp_path))
    assert _verify(after.test_client(), token)["email"] == "keep@example.com"


def test_without_data_dir_each_provider_has_its_own_key():
    assert load_or_create_signing_key(None).kid != load_or_create_signing_key(None).kid


def test_unusable_key_file_is_a_one_line_user_error(tmp_path):
    from emulator.errors import UserError

    (tmp_path / "idp").mkdir()
    (tmp_path / "idp" / "signing-key.pem").write_text("garbage")
    with pytest.raises(UserError, match=r"signing-key\.pem"):
        load_or_create_signing_key(tmp_path)
