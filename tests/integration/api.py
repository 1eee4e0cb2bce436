"""A thin HTTP client for the suite: the routes of docs/openapi.yaml, the one error shape, unique identities.

Only ``requests`` over HTTP: the same suite runs against the embedded stack, the compose
topology and a deployed stage, so nothing here may reach behind the API.
"""

from __future__ import annotations

import ipaddress
import itertools
import random
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.contract import property_names, required_fields

TIMEOUT_S = 30.0
# Text that only a leaked stack trace or exception would put in a response body.
STACK_TRACE_MARKERS = (
    "Traceback (most recent call last)",
    'File "',
    '.py", line',
    "botocore",
    "jwt.exceptions",
)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}@example.com"


def strong_password() -> str:
    # Unique per call (the log scan looks for each one), long, mixed, not a common password.
    return f"Pw-{uuid.uuid4().hex[:20]}-Zq9!"


class SourceAddressAdapter(HTTPAdapter):
    """Binds the client socket to one loopback address, so the stack sees it as a distinct sourceIp."""

    def __init__(self, source_ip: str, **kwargs: Any) -> None:
        self._source_ip = source_ip
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


class LoopbackAddresses:
    """Hands out distinct 127.x.y.z addresses (all of 127/8 is loopback on Linux).

    The starting point is random so that a second run against a long-lived stack (``make up``)
    does not inherit the first run's per-IP counters.
    """

    def __init__(self) -> None:
        base = int(ipaddress.IPv4Address("127.0.0.0")) + random.randrange(1, 200) * 65536
        self._counter = itertools.count(base + 2)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            address = ipaddress.IPv4Address(next(self._counter))
        if address.packed[-1] in (0, 255):
            return self.next()
        return str(address)


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class SecretsLedger:
    """Every password and token the suite sent or received, for the log scan."""

    values: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *values: str | None) -> None:
        with self._lock:
            self.values.update(v for v in values if v)

    def snapshot(self) -> set[str]:
        with self._lock:
            return set(self.values)


@dataclass
class Account:
    email: str
    password: str
    user: dict[str, Any] | None = None
    signup: dict[str, Any] | None = None  # the register answer: a token response


@dataclass
class Tokens:
    """A token response (login, refresh, google)."""

    body: dict[str, Any]

    @property
    def access(self) -> str:
        return self.body["accessToken"]

    @property
    def refresh(self) -> str:
        return self.body["refreshToken"]

    @property
    def session_id(self) -> str:
        return self.body["session"]["sessionId"]

    @property
    def user(self) -> dict[str, Any]:
        return self.body["user"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Api:
    """One client (one connection pool, one source address) talking to ``base_url`` (with stage)."""

    def __init__(self, base_url: str, *, source_ip: str | None = None, ledger: SecretsLedger | None = None):
        self.base_url = base_url.rstrip("/")
        self.source_ip = source_ip
        self.ledger = ledger if ledger is not None else SecretsLedger()
        self.session = requests.Session()
        if source_ip is not None:
            adapter = SourceAddressAdapter(source_ip)
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    # -- raw HTTP ---------------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT_S)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path: str, *, token: str | None = None, **kwargs: Any) -> requests.Response:
        return self._send("GET", path, None, token, kwargs)

    def post(
        self, path: str, body: Any = None, *, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        return self._send("POST", path, body, token, kwargs)

    def patch(
        self, path: str, body: Any = None, *, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        return self._send("PATCH", path, body, token, kwargs)

    def delete(
        self, path: str, body: Any = None, *, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        return self._send("DELETE", path, body, token, kwargs)

    def _send(
        self, method: str, path: str, body: Any, token: str | None, kwargs: dict[str, Any]
    ) -> requests.Response:
        headers = {**(bearer(token) if token else {}), **(kwargs.pop("headers", None) or {})}
        if body is not None:
            kwargs["json"] = body
        return self.request(method, path, headers=headers, **kwargs)

    # -- flows ------------------------------------------------------------------------------
    def register(self, email: str, password: str, display_name: str | None = None) -> requests.Response:
        self.ledger.add(password)
        body: dict[str, Any] = {"email": email, "password": password}
        if display_name is not None:
            body["displayName"] = display_name
        return self.post("/auth/register", body)

    def new_account(self, prefix: str = "user", display_name: str | None = "Test User") -> Account:
        account = Account(unique_email(prefix), strong_password())
        response = self.register(account.email, account.password, display_name)
        assert response.status_code == 201, response.text
        self._remember_tokens(response)
        account.user = response.json()["user"]
        account.signup = response.json()
        return account

    def verify_email(self, access_token: str, code: str) -> requests.Response:
        return self.post("/auth/email/verify", {"code": code}, token=access_token)

    def forgot_password(self, email: str) -> requests.Response:
        return self.post("/auth/password/forgot", {"email": email})

    def reset_password(self, email: str, code: str, new_password: str) -> requests.Response:
        self.ledger.add(new_password)
        return self.post("/auth/password/reset", {"email": email, "code": code, "newPassword": new_password})

    def login_response(self, email: str, password: str) -> requests.Response:
        self.ledger.add(password)
        response = self.post("/auth/login", {"email": email, "password": password})
        self._remember_tokens(response)
        return response

    def login(self, account: Account) -> Tokens:
        response = self.login_response(account.email, account.password)
        assert response.status_code == 200, response.text
        return Tokens(response.json())

    def refresh_response(self, refresh_token: str) -> requests.Response:
        response = self.post("/auth/refresh", {"refreshToken": refresh_token})
        self._remember_tokens(response)
        return response

    def refresh(self, refresh_token: str) -> Tokens:
        response = self.refresh_response(refresh_token)
        assert response.status_code == 200, response.text
        return Tokens(response.json())

    def google_response(self, id_token: str) -> requests.Response:
        self.ledger.add(id_token)
        response = self.post("/auth/google", {"idToken": id_token})
        self._remember_tokens(response)
        return response

    def validate(self, access_token: str) -> requests.Response:
        return self.get("/auth/validate", token=access_token)

    def _remember_tokens(self, response: requests.Response) -> None:
        if response.status_code in (200, 201) and response.headers.get("Content-Type", "").startswith(
            "application/json"
        ):
            body = response.json()
            if isinstance(body, dict):
                self.ledger.add(body.get("accessToken"), body.get("refreshToken"))


def assert_error(
    response: requests.Response, status: int, code: str, *, field: str | None = None
) -> dict[str, Any]:
    """The one error shape, with ``code``; ``field`` (if given) named in ``details.field``."""
    assert response.status_code == status, (
        f"expected {status} {code}, got {response.status_code}: {response.text}"
    )
    assert_no_stack_trace(response)
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, body
    assert isinstance(error["message"], str)
    assert error["message"]
    assert set(error) <= {"code", "message", "details"}, body
    if field is not None:
        assert error.get("details", {}).get("field") == field, body
    return error


def assert_unauthorized(response: requests.Response) -> None:
    """A refused bearer token: 401, RFC 6750's challenge and the API's one error shape, whether the
    authorizer refused it (the template's UNAUTHORIZED gateway response) or the backend."""
    assert response.status_code == 401, f"expected 401, got {response.status_code}: {response.text}"
    assert response.headers.get("WWW-Authenticate") == 'Bearer error="invalid_token"', response.headers
    assert response.json() == {"error": {"code": "unauthorized", "message": "Authentication is required."}}, (
        response.text
    )
    assert_no_stack_trace(response)


def assert_no_stack_trace(response: requests.Response) -> None:
    for marker in STACK_TRACE_MARKERS:
        assert marker not in response.text, f"stack trace text {marker!r} in response: {response.text}"


def assert_safe_user(user: dict[str, Any], *, email: str | None = None) -> None:
    expected = required_fields("SafeUser")
    assert expected <= set(user), f"SafeUser lacks {expected - set(user)}: {user}"
    leaked = [k for k in user if "hash" in k.lower() or "password" in k.lower() or "salt" in k.lower()]
    assert not leaked, f"SafeUser leaks {leaked}"
    assert set(user["profile"]) >= property_names("Profile"), user["profile"]
    for key, value in user["profile"].items():  # an empty field is null, never "" (photoURL is a URI)
        assert value is None or (isinstance(value, str) and value), (key, value)
    assert isinstance(user["authProviders"], list)
    for stamp in ("createdAt", "updatedAt"):
        assert_iso_utc(user[stamp])
    if user["lastLoginAt"] is not None:
        assert_iso_utc(user["lastLoginAt"])
    if email is not None:
        assert user["email"] == email.strip().lower()


def assert_iso_utc(value: Any) -> None:
    assert isinstance(value, str), value
    assert value.endswith("Z"), f"not an ISO 8601 UTC string: {value!r}"
    datetime.fromisoformat(value.replace("Z", "+00:00"))


def assert_token_response(body: dict[str, Any], *, email: str | None = None) -> None:
    for key in required_fields("TokenResponse"):
        assert key in body, f"token response lacks {key}: {sorted(body)}"
    assert body["tokenType"] == "Bearer"
    assert isinstance(body["expiresIn"], int)
    assert body["expiresIn"] > 0
    assert body["session"]["sessionId"]
    assert_iso_utc(body["session"]["expiresAt"])
    # In the future, and not absurdly far (a TTL written in milliseconds would be millennia away).
    expires_at = datetime.fromisoformat(body["session"]["expiresAt"].replace("Z", "+00:00"))
    now = datetime.now(UTC)
    assert now < expires_at < now + timedelta(days=366), body["session"]
    assert_safe_user(body["user"], email=email)


def all_distinct(values: Iterable[str]) -> bool:
    items = list(values)
    return len(items) == len(set(items))


def first_limited(send: Callable[[], requests.Response], limit: int) -> tuple[int, requests.Response]:
    """Send until the first 429, at most 2*limit+1 times: (its index, the response).

    The limits are fixed windows (IpLimitWindowSeconds); a run that straddles a window boundary
    sees the count restart, hence the allowance of up to one more window's worth of requests.
    """
    statuses = []
    for index in range(2 * limit + 1):
        response = send()
        if response.status_code == 429:
            return index, response
        statuses.append(response.status_code)
    pytest.fail(f"no 429 after {2 * limit + 1} requests (limit {limit}): {statuses}")
