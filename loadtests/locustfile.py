"""The iOS app's traffic, as Locust virtual users: one virtual user = one installed app.

Run it against the local stack (``make load``) or any deployed stage::

    locust -f loadtests/locustfile.py --host https://<api-id>.execute-api.<region>.amazonaws.com/prod

What one app does (task weights; a task runs after each think time):

====================  ======  ==============================================================
task                  weight  requests
====================  ======  ==============================================================
open_app                  20  refresh first if the access token is near expiry, then
                              GET /auth/validate (the app checks its session on every open)
view_profile               8  GET /users/me
edit_profile               2  PATCH /users/me
sign_out_and_in            1  POST /auth/logout, then POST /auth/login
sign_up_new_account        1  POST /auth/register (it signs in), then, with the emails at
                              hand, POST /auth/email/verify with the mailed code (a fresh
                              install / a second account); also what every app does once
reset_password             1  with the emails at hand: POST /auth/password/forgot, the mailed
                              code, POST /auth/password/reset, then POST /auth/login (at most
                              once a minute per app: the send limit)
====================  ======  ==============================================================

The emails: ``--emails-url`` (``make load`` passes the local stack's ``/_emulator/emails``), read
with a plain HTTP client so that they are not counted among the API's requests. Without it (a
deployed stage), the journeys that need a mailed code are left out.

Think time: 2-8 s (uniform) between two actions of an active app user, times
``--think-time-scale`` (default 1; the smoke test uses a small one to hit every endpoint in seconds).

Refresh: the app refreshes when its access token has less than ``--refresh-margin`` seconds left
(default 60) on the *device's* clock. An app is not used continuously: before each ``open_app``
the device spends a simulated time in the background (exponential, mean ``BACKGROUND_MEAN_S`` =
10 min), which moves the device's clock forward, so about a quarter of app opens find a
15-minute token near expiry and refresh, as they would in the field. Only the app's decision is
simulated; the server sees real requests with valid tokens.

Every virtual user registers its own unique email (``ios-<uuid>@loadtest.example.com``).
Requests are named by endpoint (``/auth/validate``...), so Locust's statistics are per endpoint.
A ``quitting`` listener (loadtests/report.py) prints the per-endpoint summary, writes the HTML
summary (``--summary-html``, default ``summary.html`` beside ``--html``) and sets Locust's exit code
from the budgets (``--budgets``, default ``loadtests/budgets.toml``).
"""

from __future__ import annotations

import logging
import random
import re
import secrets
import sys
import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

import requests
from locust import HttpUser, events
from locust.env import Environment
from locust.runners import WorkerRunner

# ``locust -f loadtests/locustfile.py`` puts loadtests/ on sys.path, not the repository root.
_REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from loadtests.budgets import DEFAULT_BUDGETS_FILE  # noqa: E402
from loadtests.report import report_run  # noqa: E402

log = logging.getLogger("loadtests")

THINK_TIME_S = (2.0, 8.0)
BACKGROUND_MEAN_S = 600.0
EMAIL_DOMAIN = "loadtest.example.com"
TOKEN_RESPONSE_KEYS = ("accessToken", "refreshToken", "expiresIn", "user", "session")
SEND_INTERVAL_S = 61  # the backend mails one address at most once a minute
_CODE = re.compile(r"\b([0-9]{6})\b")


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--budgets", default=str(DEFAULT_BUDGETS_FILE), help="budgets TOML file")
    parser.add_argument("--think-time-scale", type=float, default=1.0, help="multiplies the 2-8 s think time")
    parser.add_argument(
        "--refresh-margin", type=float, default=60.0, help="refresh when the token has less left (s)"
    )
    parser.add_argument(
        "--emails-url", default="", help="the local stack's GET /_emulator/emails (empty: no emailed codes)"
    )
    parser.add_argument(
        "--summary-html", default="", help="the run's HTML summary (default: summary.html beside --html)"
    )


class IosApp(HttpUser):
    """One installed app: an account, its tokens, the device's clock, and what its user can do."""

    abstract = True

    def on_start(self) -> None:
        self.email = ""
        self.password = ""
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self.token_expires_at = 0.0  # on the device's clock
        self.device_clock_offset_s = 0.0  # simulated time spent in the background so far
        self.last_reset_at = float("-inf")
        self.mail = requests.Session()
        self.sign_up()

    def wait_time(self) -> float:
        return random.uniform(*THINK_TIME_S) * self.environment.parsed_options.think_time_scale

    # ---- journeys (the tasks; IosAppUser weighs them) -------------------------------------

    def open_app(self) -> None:
        self.device_clock_offset_s += random.expovariate(1 / BACKGROUND_MEAN_S)
        if not self.ensure_fresh_token():
            return
        self.authed("GET", "/auth/validate", expect=200, needs=("user", "session"))

    def view_profile(self) -> None:
        if self.ensure_fresh_token():
            self.authed("GET", "/users/me", expect=200, needs=("user",))

    def edit_profile(self) -> None:
        if self.ensure_fresh_token():
            body = {"displayName": f"User {random.randint(1, 9999)}", "profile": {"firstName": "Load"}}
            self.authed("PATCH", "/users/me", expect=200, json=body, needs=("user",))

    def sign_out_and_in(self) -> None:
        if self.access_token is not None:
            self.authed("POST", "/auth/logout", expect=204, json={})
            self.access_token = self.refresh_token = None
        self.sign_in()

    def sign_up_new_account(self) -> None:
        self.sign_up()

    def reset_password(self) -> None:
        if (
            not self.environment.parsed_options.emails_url
            or time.time() - self.last_reset_at < SEND_INTERVAL_S
        ):
            return
        self.last_reset_at = time.time()
        if self.call("POST", "/auth/password/forgot", expect=202, json={"email": self.email}) is None:
            return
        code = self.mailed_code("reset")
        if code is None:
            return
        new_password = f"Lt-{secrets.token_urlsafe(12)}-8"
        body = {"email": self.email, "code": code, "newPassword": new_password}
        if self.call("POST", "/auth/password/reset", expect=204, json=body) is not None:
            self.password = new_password
            self.access_token = self.refresh_token = None  # every session was revoked
            self.sign_in()

    # ---- the app's client --------------------------------------------------------------------

    def device_now(self) -> float:
        return time.time() + self.device_clock_offset_s

    def sign_up(self) -> None:
        self.email = f"ios-{uuid.uuid4().hex}@{EMAIL_DOMAIN}"
        self.password = f"Lt-{secrets.token_urlsafe(12)}-7"
        body = {"email": self.email, "password": self.password, "displayName": "Load Test"}
        signed_up = self.call("POST", "/auth/register", expect=201, json=body, needs=TOKEN_RESPONSE_KEYS)
        self.keep_tokens(signed_up)  # sign-up signs in
        if signed_up is not None and self.environment.parsed_options.emails_url:
            code = self.mailed_code("verification")
            if code is not None:
                self.authed("POST", "/auth/email/verify", expect=200, json={"code": code}, needs=("user",))

    def mailed_code(self, kind: str) -> str | None:
        """The code of the latest email of ``kind`` to this app's address (a failure if none)."""
        url = self.environment.parsed_options.emails_url
        try:
            emails = self.mail.get(url, params={"to": self.email}, timeout=30).json()
        except (requests.RequestException, ValueError) as exc:
            log.error("reading %s failed: %s", url, exc)
            emails = []
        for email in reversed(emails if isinstance(emails, list) else []):
            if kind in str(email.get("subject", "")).lower():
                found = _CODE.search(str(email["subject"]))
                if found:
                    return found.group(1)
        events.request.fire(
            request_type="MAIL", name=f"{kind} code", response_time=0, response_length=0,
            exception=Exception(f"no {kind} email to {self.email}"), context={},
        )  # fmt: skip
        return None

    def sign_in(self) -> None:
        body = {"email": self.email, "password": self.password}
        self.keep_tokens(self.call("POST", "/auth/login", expect=200, json=body, needs=TOKEN_RESPONSE_KEYS))

    def ensure_fresh_token(self) -> bool:
        """Refresh when the access token is missing-but-refreshable or near expiry; False if signed out."""
        if self.refresh_token is None:
            self.sign_in()
            return self.access_token is not None
        margin = self.environment.parsed_options.refresh_margin
        if self.token_expires_at - self.device_now() < margin:
            body = {"refreshToken": self.refresh_token}
            self.keep_tokens(
                self.call("POST", "/auth/refresh", expect=200, json=body, needs=TOKEN_RESPONSE_KEYS)
            )
        return self.access_token is not None

    def keep_tokens(self, body: dict[str, Any] | None) -> None:
        if body is None:
            self.access_token = self.refresh_token = None
            return
        self.access_token = str(body["accessToken"])
        self.refresh_token = str(body["refreshToken"])
        self.token_expires_at = self.device_now() + float(body["expiresIn"])

    def authed(self, method: str, path: str, **kwargs: Any) -> dict[str, Any] | None:
        headers = {"Authorization": f"Bearer {self.access_token}"}
        return self.call(method, path, headers=headers, **kwargs)

    def call(
        self,
        method: str,
        path: str,
        *,
        expect: int,
        needs: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        """One request named by its endpoint; a failure unless the status and body are as expected."""
        with self.client.request(method, path, name=path, catch_response=True, **kwargs) as response:
            if response.status_code != expect:
                # Error bodies never carry tokens (docs/openapi.yaml's Error); keep the start for the report.
                response.failure(f"{response.status_code} (expected {expect}): {response.text[:160]}")
                return None
            if expect == 204:
                response.success()
                return {}
            try:
                body = response.json()
            except ValueError:
                response.failure(f"{response.status_code} with a body that is not JSON")
                return None
            missing = [key for key in needs if key not in body]
            if missing:
                response.failure(f"{response.status_code} without {', '.join(missing)}")
                return None
            response.success()
            return body


class IosAppUser(IosApp):
    """The load model: the app's journeys, weighted as in the module docstring."""

    tasks: ClassVar[dict[Any, int]] = {
        IosApp.open_app: 20,
        IosApp.view_profile: 8,
        IosApp.edit_profile: 2,
        IosApp.sign_out_and_in: 1,
        IosApp.sign_up_new_account: 1,
        IosApp.reset_password: 1,
    }


@events.quitting.add_listener
def _check_budgets(environment: Environment, **_kwargs: Any) -> None:
    """Print the summary, write the HTML one; a broken budget makes Locust exit with 1."""
    if isinstance(environment.runner, WorkerRunner):
        return  # the master (or the single local runner) sees the aggregated figures
    environment.process_exit_code = report_run(environment)
