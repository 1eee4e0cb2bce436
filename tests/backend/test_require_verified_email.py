"""``RequireVerifiedEmail=true``: protected routes answer 403 email_not_verified until the code is in.

On its own stack (the template parameter set to true), over HTTP. Verify, resend, logout and
account deletion stay open to an unverified user: one who mistyped the address must still be able
to sign out or leave.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from loadtests.stack import LocalStack, StackOptions, local_stack
from tests.backend.real_stack import http_call

OPTIONS = StackOptions(bcrypt_rounds=4, extra_env={"REQUIRE_VERIFIED_EMAIL": "true"})
PASSWORD = "Unverified-horse-battery-42"  # a throwaway account on a throwaway stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with local_stack(tmp_path_factory.mktemp("require-verified"), OPTIONS) as running:
        yield running


def _code(stack: LocalStack, email: str) -> str:
    url = f"{stack.root_url}/_emulator/emails?to={urllib.request.quote(email)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        emails = json.loads(response.read())
    return re.findall(r"\b[0-9]{6}\b", emails[-1]["subject"])[0]


def test_an_unverified_user_is_refused_until_the_code_is_entered(stack: LocalStack):
    email = f"unverified-{uuid.uuid4().hex}@example.com"
    status, signup = http_call(stack, "POST", "/auth/register", {"email": email, "password": PASSWORD})
    assert status == 201, signup
    access = signup["accessToken"]
    for method, path in (("GET", "/users/me"), ("GET", "/auth/validate"), ("PATCH", "/users/me")):
        status, body = http_call(
            stack, method, path, {"displayName": "x"} if method == "PATCH" else None, access
        )
        assert status == 403, (path, body)
        assert body["error"]["code"] == "email_not_verified"
    status, body = http_call(stack, "POST", "/auth/email/verify", {"code": _code(stack, email)}, access)
    assert status == 200, body
    # The same access token works now: the authorizer reads the user's state, not the token's claim.
    status, body = http_call(stack, "GET", "/users/me", token=access)
    assert status == 200, body


def test_an_unverified_user_can_still_sign_out_and_leave(stack: LocalStack):
    email = f"leaving-{uuid.uuid4().hex}@example.com"
    _, signup = http_call(stack, "POST", "/auth/register", {"email": email, "password": PASSWORD})
    status, _ = http_call(stack, "POST", "/auth/logout", token=signup["accessToken"])
    assert status == 204
    _, session = http_call(stack, "POST", "/auth/login", {"email": email, "password": PASSWORD})
    status, body = http_call(stack, "DELETE", "/users/me", {"password": PASSWORD}, session["accessToken"])
    assert status == 204, body
