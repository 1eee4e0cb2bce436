"""``/_emulator/secrets`` and ``/_emulator/api/secrets`` under ``serve``, over real HTTP and in
headless Chromium: the secrets and SSM parameters of the AWS endpoint the functions use, read with
boto3 (so any endpoint: the embedded one, or another given by ``AWS_ENDPOINT_URL``), every value
masked until revealed, one at a time."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from flask import Flask
from playwright.sync_api import Page, expect

from emulator.aws import EmbeddedAws
from emulator.aws.provisioning import aws_client
from emulator.dashboard.blueprint import DashboardSource, dashboard_blueprint
from emulator.dashboard.history import RequestHistory
from emulator.dashboard.masking import MASK
from emulator.dashboard.secrets import SecretsSource
from emulator.launcher import run_serve, serve_argv
from tests.emulator.aws.helpers import client
from tests.emulator.dashboard.browsing import IMAGES, ROOT, serving
from tests.emulator.fixtures import template

FUNCTIONS_APP = "functions_app"  # it declares one secret, pages/app-secret
API = "/_emulator/api/secrets"
TEMPLATE_SECRET = "template-secret-value"


@dataclass(frozen=True)
class Stored:
    """serve's URL, and what the tests put on its AWS endpoint: names, values that must stay masked."""

    url: str
    secret: str
    current: str
    previous: str
    binary: str
    secure: str
    secure_value: str
    plain: str
    plain_value: str

    @property
    def values(self) -> tuple[str, ...]:
        return (TEMPLATE_SECRET, self.current, self.previous, self.secure_value, self.plain_value)


def _store(url: str, endpoint: str) -> Stored:
    """A secret with two versions (AWSCURRENT, AWSPREVIOUS), a binary one, and two parameters."""
    tag = uuid.uuid4().hex[:8]
    stored = Stored(
        url=url,
        secret=f"app/{tag}/signing",
        current=f"current-{tag}",
        previous=f"previous-{tag}",
        binary=f"app/{tag}/blob",
        secure=f"/app/{tag}/db-password",
        secure_value=f"pw-{tag}",
        plain=f"/app/{tag}/region",
        plain_value=f"region-{tag}",
    )
    secrets = client("secretsmanager", endpoint)
    secrets.create_secret(Name=stored.secret, SecretString=stored.previous, Description="signing keys")
    secrets.put_secret_value(SecretId=stored.secret, SecretString=stored.current)
    secrets.create_secret(Name=stored.binary, SecretBinary=b"\x00\xffbinary")
    ssm = client("ssm", endpoint)
    ssm.put_parameter(Name=stored.secure, Value=stored.secure_value, Type="SecureString")
    ssm.put_parameter(Name=stored.plain, Value=stored.plain_value, Type="String")
    return stored


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stored]:
    with serving(FUNCTIONS_APP, tmp_path_factory.mktemp("dashboard-secrets")) as running:
        yield _store(running.root_url, str(running.aws_endpoint))


def _listed(url: str, **params: str) -> requests.Response:
    answer = requests.get(f"{url}{API}", params=params, timeout=10)
    assert answer.headers["Cache-Control"] == "no-store"
    return answer


def _by_name(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in entries}


def test_names_and_stages_are_listed_with_every_value_masked(stored: Stored) -> None:
    answer = _listed(stored.url)
    assert answer.status_code == 200, answer.text
    for value in stored.values:
        assert value not in answer.text
    listing = answer.json()
    secrets = _by_name(listing["secrets"])
    assert {"pages/app-secret", stored.secret, stored.binary} <= set(secrets)
    signing = secrets[stored.secret]
    assert (signing["value"], signing["masked"], signing["description"]) == (MASK, True, "signing keys")
    assert signing["stages"] == ["AWSCURRENT", "AWSPREVIOUS"]
    assert sorted(stage for version in signing["versions"] for stage in version["stages"]) == [
        "AWSCURRENT",
        "AWSPREVIOUS",
    ]
    parameters = _by_name(listing["parameters"])
    assert parameters[stored.secure]["type"] == "SecureString"
    assert parameters[stored.plain]["type"] == "String"
    assert {parameters[stored.secure]["value"], parameters[stored.plain]["value"]} == {MASK}


def test_reveal_shows_one_value_the_current_version_of_a_secret(stored: Stored) -> None:
    answer = _listed(stored.url, reveal="1", secret=stored.secret)
    assert answer.status_code == 200, answer.text
    (signing,) = answer.json()["secrets"]
    assert (signing["value"], signing["masked"], signing["encoding"]) == (stored.current, False, "text")
    assert answer.json()["parameters"] == []
    assert stored.previous not in answer.text
    (blob,) = _listed(stored.url, reveal="1", secret=stored.binary).json()["secrets"]
    assert (blob["value"], blob["encoding"]) == ("AP9iaW5hcnk=", "base64")
    (secure,) = _listed(stored.url, reveal="1", parameter=stored.secure).json()["parameters"]
    assert secure["value"] == stored.secure_value  # decrypted
    (masked,) = _listed(stored.url, parameter=stored.secure).json()["parameters"]
    assert masked["value"] == MASK  # without reveal=1, one value is masked too


def test_an_unknown_name_is_a_404(stored: Stored) -> None:
    for params in ({"secret": "no/such/secret"}, {"parameter": "/no/such", "reveal": "1"}):
        answer = _listed(stored.url, **params)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"


def test_a_value_stays_masked_in_the_page_until_revealed(stored: Stored, page: Page) -> None:
    page.goto(f"{stored.url}/_emulator/secrets")
    expect(page.get_by_role("heading", name="Secrets", exact=True)).to_be_visible()
    html = page.content()
    for value in stored.values:
        assert value not in html  # not in the HTML either, hidden or not
    value = page.get_by_label(f"Value of {stored.secret}", exact=True)
    expect(value).to_have_text(MASK)
    row = page.locator("tr", has=value)
    expect(row).to_contain_text("AWSCURRENT")
    expect(row).to_contain_text("AWSPREVIOUS")
    page.screenshot(path=str(IMAGES / "dashboard-secrets.png"), animations="disabled")
    page.get_by_role("button", name=f"Reveal the value of {stored.secret}").click()
    expect(value).to_have_text(stored.current)
    secure = page.get_by_label(f"Value of {stored.secure}", exact=True)
    expect(secure).to_have_text(MASK)  # only the one asked for
    assert stored.secure_value not in page.content()
    page.get_by_role("button", name=f"Hide the value of {stored.secret}").click()
    expect(value).to_have_text(MASK)
    reveal_secure = page.get_by_role("button", name=f"Reveal the value of {stored.secure}")
    reveal_secure.focus()
    page.keyboard.press("Enter")  # keyboard-usable
    expect(secure).to_have_text(stored.secure_value)


def test_an_external_endpoint_given_by_aws_endpoint_url_is_read(tmp_path: Any) -> None:
    with EmbeddedAws(ttl_sweep_interval_s=0) as external:
        secret = f"external/{uuid.uuid4().hex[:8]}"
        client("secretsmanager", external.endpoint_url).create_secret(Name=secret, SecretString="far-away")
        env = {**os.environ, "AWS_ENDPOINT_URL": external.endpoint_url}
        argv = serve_argv("--port", "0", "--template", str(template(FUNCTIONS_APP)), "--no-reload")
        with run_serve(argv, log_path=tmp_path / "serve.log", cwd=ROOT, env=env) as running:
            listing = _listed(running.root_url).json()
            assert listing["endpoint"] == external.endpoint_url
            assert {secret, "pages/app-secret"} <= set(_by_name(listing["secrets"]))  # provisioned there
            (revealed,) = _listed(running.root_url, reveal="1", secret=secret).json()["secrets"]
            assert revealed["value"] == "far-away"


def test_an_endpoint_that_does_not_answer_is_a_clear_502(tmp_path: Any) -> None:
    with socket.socket() as placeholder:  # a loopback port nothing listens on
        placeholder.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{placeholder.getsockname()[1]}"
    secrets = SecretsSource(
        lambda service: aws_client(service, closed, "us-east-1", embedded=True), lambda: closed
    )
    dashboard = DashboardSource(
        RequestHistory(10), lambda: None, function_names=list, allow_lan=False, secrets=secrets
    )
    app = Flask(__name__)
    app.register_blueprint(dashboard_blueprint(dashboard))
    answer = app.test_client().get("/_emulator/api/secrets")
    assert answer.status_code == 502
    unreachable = f"could not reach the AWS endpoint at {closed}"  # and no exception text
    assert answer.json == {"error": {"code": "aws_endpoint_unreachable", "message": unreachable}}
    page = app.test_client().get("/_emulator/secrets")
    assert page.status_code == 502
    assert unreachable in page.get_data(as_text=True)
