"""What the dashboard masks unless revealed: credentials in headers, JSON fields, JWTs."""

from __future__ import annotations

import json

from emulator.dashboard.masking import MASK, mask_headers, mask_json_text, mask_text, mask_tree

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl"


def test_credential_headers_are_masked_keeping_their_scheme() -> None:
    headers = [
        ("Authorization", "Bearer abc.def"),
        ("Cookie", "session=s3cr3t"),
        ("X-Api-Key", "k-123"),
        ("Accept", "application/json"),
    ]
    assert mask_headers(headers) == [
        ("Authorization", f"Bearer {MASK}"),
        ("Cookie", MASK),
        ("X-Api-Key", MASK),
        ("Accept", "application/json"),
    ]


def test_json_fields_named_like_secrets_are_masked_and_the_others_kept() -> None:
    body = {
        "email": "ann@example.com",
        "password": "hunter2",
        "newPassword": "hunter3",
        "code": "123456",
        "verificationCode": "654321",
        "client_secret": "xyz",
        "tokens": {"accessToken": "a", "refreshToken": "r"},
        "statusCode": 200,
        "countryCode": "FR",
        "items": [{"id_token": "t"}],
    }
    assert json.loads(mask_json_text(json.dumps(body))) == {
        "email": "ann@example.com",
        "password": MASK,
        "newPassword": MASK,
        "code": MASK,
        "verificationCode": MASK,
        "client_secret": MASK,
        "tokens": {"accessToken": MASK, "refreshToken": MASK},
        "statusCode": 200,
        "countryCode": "FR",
        "items": [{"id_token": MASK}],
    }


def test_an_event_is_masked_in_its_headers_and_in_its_json_body() -> None:
    event = {
        "headers": {"Authorization": "Bearer x", "Host": "h"},
        "multiValueHeaders": {"Authorization": ["Bearer x"]},
        "body": json.dumps({"password": "p", "email": "e"}),
        "requestContext": {"requestId": "r-1", "authorizer": {"principalId": "ann"}},
    }
    masked = mask_tree(event)
    assert masked["headers"] == {"Authorization": f"Bearer {MASK}", "Host": "h"}
    assert masked["multiValueHeaders"] == {"Authorization": [f"Bearer {MASK}"]}
    assert json.loads(masked["body"]) == {"password": MASK, "email": "e"}
    assert masked["requestContext"] == event["requestContext"]


def test_jwts_are_masked_in_free_text_and_non_json_bodies() -> None:
    assert mask_text(f"got token {JWT} from Google") == f"got token {MASK} from Google"
    assert mask_json_text(f"id_token={JWT}") == f"id_token={MASK}"
    assert mask_text("nothing secret here") == "nothing secret here"
