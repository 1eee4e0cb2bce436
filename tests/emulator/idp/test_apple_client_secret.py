"""The client_secret rules of Apple's REST API, as the local provider enforces them (invalid_client)."""

from __future__ import annotations

import jwt
import pytest

from emulator.idp.apple import OAuthError, mint_client_secret, verify_client_secret
from emulator.idp.apple.client_secret import MAX_LIFETIME_S, ClientSecretError
from emulator.idp.apple.keys import generate_developer_key

from .apple_helpers import Clock, developer_key, form, provider, secret

NOW = 1_800_000_000


def _verify(client_secret: str, client_id: str = "demo-ios-auth") -> None:
    verify_client_secret(client_secret, client_id=client_id, key=developer_key(), now=NOW)


def test_a_secret_made_as_apple_documents_is_accepted_up_to_six_months():
    _verify(mint_client_secret(developer_key(), "demo-ios-auth", now=NOW))
    _verify(mint_client_secret(developer_key(), "demo-ios-auth", now=NOW, lifetime_s=MAX_LIFETIME_S))
    _verify(
        mint_client_secret(
            developer_key(), "demo-ios-auth", now=NOW, claims={"aud": ["https://appleid.apple.com"]}
        )
    )


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"claims": {"exp": NOW}}, "expired"),
        ({"claims": {"iat": NOW - 7200, "exp": NOW - 3600}}, "expired"),
        ({"lifetime_s": MAX_LIFETIME_S + 1}, "6 months"),
        ({"claims": {"iat": NOW + 3600, "exp": NOW + 7200}}, "future"),
        ({"headers": {"kid": "ABCDEFGHIJ"}}, "kid"),
        ({"claims": {"iss": "ZZZZZZZZZZ"}}, "iss"),
        ({"claims": {"aud": "https://appleid.apple.com/"}}, "aud"),
        ({"claims": {"aud": "demo-ios-auth"}}, "aud"),
        ({"claims": {"sub": "com.example.other"}}, "sub"),
        ({"claims": {"iat": None}}, "iat"),
        ({"claims": {"exp": "soon"}}, "exp"),
    ],
)
def test_each_rule_refuses_the_secret_and_says_why(kwargs, reason):
    client_secret = mint_client_secret(developer_key(), "demo-ios-auth", now=NOW, **kwargs)
    with pytest.raises(ClientSecretError, match=reason):
        _verify(client_secret)


def test_a_secret_signed_by_another_key_with_the_same_ids_is_refused():
    other = generate_developer_key()
    forged = jwt.encode(
        {
            "iss": developer_key().team_id,
            "iat": NOW,
            "exp": NOW + 60,
            "aud": "https://appleid.apple.com",
            "sub": "demo-ios-auth",
        },
        other.private_key,
        algorithm="ES256",
        headers={"kid": developer_key().key_id},
    )
    with pytest.raises(ClientSecretError, match="signature"):
        _verify(forged)


@pytest.mark.parametrize(
    "client_secret",
    [
        "not-a-jwt",
        jwt.encode({"iss": "x"}, "a-shared-secret-of-at-least-32-bytes!!", algorithm="HS256"),
        "",
    ],
)
def test_anything_but_an_es256_jwt_is_refused(client_secret):
    with pytest.raises(ClientSecretError):
        _verify(client_secret)


def test_the_token_endpoint_answers_invalid_client_for_a_bad_secret_and_never_looks_at_the_code():
    clock = Clock()
    apple = provider(clock)
    expired = secret(clock, claims={"exp": int(clock.now) - 1})
    for fields in (
        form(client_id="demo-ios-auth", client_secret=expired, grant_type="authorization_code", code="c1"),
        form(client_id="demo-ios-auth", grant_type="authorization_code", code="c1"),
        form(client_secret=secret(clock), grant_type="authorization_code", code="c1"),
        {},
    ):
        with pytest.raises(OAuthError) as raised:
            apple.token(fields)
        assert (raised.value.error, raised.value.status) == ("invalid_client", 400)
