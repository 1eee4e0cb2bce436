"""The dashboard's pages in a real browser: headless Chromium driven by Playwright (the
``browser`` and ``page`` fixtures: conftest.py), against ``serve`` over HTTP. No sleeps:
Playwright's ``expect`` waits for the page's own state. Screenshots of the main pages go to
``docs/images/`` (the README shows them).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.emulator.aws.helpers import client
from tests.emulator.dashboard.browsing import IMAGES, serving


@dataclass(frozen=True)
class Serve:
    url: str
    aws_endpoint: str


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    with serving("dashboard_app", tmp_path_factory.mktemp("dashboard-browser")) as running:
        yield Serve(running.root_url, str(running.aws_endpoint))


@pytest.fixture(scope="module")
def url(serve: Serve) -> str:
    return serve.url


def test_a_request_appears_in_the_open_list_without_a_reload(url: str, page: Page) -> None:
    page.goto(f"{url}/_emulator/requests")
    expect(page.get_by_role("heading", name="Requests")).to_be_visible()
    first_load = page.evaluate("performance.timeOrigin")
    sent = requests.get(f"{url}/dev/echo?from=requests", timeout=10)
    row = page.locator(f'tr[data-request-id="{sent.headers["x-amzn-RequestId"]}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("/dev/echo")
    expect(row).to_contain_text("EchoFunction")
    expect(row).to_contain_text("200")
    assert page.evaluate("performance.timeOrigin") == first_load  # the same document: no reload
    favicon = requests.get(f"{url}/_emulator/api/requests", params={"path": "favicon"}, timeout=10)
    assert favicon.json()["requests"] == []  # the pages ask the gateway for nothing of their own
    requests.post(f"{url}/dev/login", json={"email": "ann@example.com", "password": "pw"}, timeout=10)
    requests.get(f"{url}/dev/secure", headers={"Authorization": "Bearer allow-ann"}, timeout=10)
    last = requests.get(f"{url}/dev/respond/not-a-dict", timeout=10)
    expect(page.locator(f'tr[data-request-id="{last.headers["x-amzn-RequestId"]}"]')).to_be_visible()
    page.screenshot(path=str(IMAGES / "dashboard-requests.png"), animations="disabled")


def test_the_list_filters_by_status_class(url: str, page: Page) -> None:
    failed = requests.get(f"{url}/dev/respond/raise", timeout=10).headers["x-amzn-RequestId"]
    page.goto(f"{url}/_emulator/requests")
    page.get_by_label("Status").select_option("5xx")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(f'tr[data-request-id="{failed}"]')).to_be_visible()
    expect(page.locator("#requests tbody tr")).not_to_have_count(0)
    for status in page.locator("#requests tbody td.status").all_text_contents():
        assert status.startswith("5")
    ok = requests.get(f"{url}/dev/echo?filtered=out", timeout=10).headers["x-amzn-RequestId"]
    newer_failure = requests.get(f"{url}/dev/respond/raise", timeout=10).headers["x-amzn-RequestId"]
    expect(page.locator(f'tr[data-request-id="{newer_failure}"]')).to_be_visible()
    expect(page.locator(f'tr[data-request-id="{ok}"]')).to_have_count(0)


def test_the_detail_page_shows_the_event_and_the_report_line(url: str, page: Page) -> None:
    sent = requests.get(f"{url}/dev/secure", headers={"Authorization": "Bearer allow-ann"}, timeout=10)
    request_id = sent.headers["x-amzn-RequestId"]
    page.goto(f"{url}/_emulator/requests")
    page.locator(f'tr[data-request-id="{request_id}"] a').click()
    expect(page.locator("#request-id")).to_have_text(request_id)
    expect(page.locator("#event")).to_contain_text('"requestContext"')
    expect(page.locator("#event")).to_contain_text(f'"requestId": "{request_id}"')
    expect(page.locator("#function-logs")).to_contain_text("REPORT RequestId: ")
    expect(page.get_by_role("heading", name="Authorizer TokenAuth: allow")).to_be_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page.get_by_role("button", name="Copy as curl").click()
    expect(page.locator("#action-status")).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"curl -i -X GET {url}/dev/secure")
    assert "-H 'Authorization: Bearer ••••••••'" in copied  # masked as the page is
    page.screenshot(path=str(IMAGES / "dashboard-request.png"), full_page=True, animations="disabled")


def test_replay_creates_a_new_request(url: str, page: Page) -> None:
    sent = requests.post(f"{url}/dev/echo", data="replay me", timeout=10)
    original = sent.headers["x-amzn-RequestId"]
    page.goto(f"{url}/_emulator/requests/{original}")
    page.get_by_role("button", name="Replay").focus()
    page.keyboard.press("Enter")  # keyboard-usable
    replayed = page.locator("#replayed")
    expect(replayed).to_contain_text("Replayed: 200")
    replayed.click()
    expect(page.locator("#request-id")).not_to_have_text(original)
    new_id = page.locator("#request-id").inner_text()
    expect(page.get_by_role("link", name=original)).to_be_visible()  # "Replay of"
    detail = requests.get(f"{url}/_emulator/api/requests/{new_id}", timeout=10).json()
    assert (detail["replayOf"], detail["event"]["body"]) == (original, "replay me")


def test_a_502_from_a_malformed_result_shows_the_reason(url: str, page: Page) -> None:
    sent = requests.get(f"{url}/dev/respond/body-not-string", timeout=10)
    assert sent.status_code == 502
    page.goto(f"{url}/_emulator/requests/{sent.headers['x-amzn-RequestId']}")
    expect(page.get_by_role("heading", name="Why API Gateway answered 502")).to_be_visible()
    expect(page.locator("#failure")).to_contain_text("Malformed Lambda proxy response: body must be a string")
    expect(page.locator("#function-result")).to_contain_text('"a": 1')


def test_masked_values_stay_masked_until_revealed(url: str, browser: Browser) -> None:
    sent = requests.post(
        f"{url}/dev/login",
        json={"email": "ann@example.com", "password": "hunter2"},
        headers={"Authorization": "Bearer sekret-token"},
        timeout=10,
    )
    access_token = sent.json()["accessToken"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(f"{url}/_emulator/requests/{sent.headers['x-amzn-RequestId']}")
        main = page.locator("main")
        expect(main).to_contain_text("ann@example.com")
        expect(main).to_contain_text("Bearer ••••••••")
        for secret in ("hunter2", "sekret-token", access_token):
            expect(main).not_to_contain_text(secret)
        page.screenshot(path=str(IMAGES / "dashboard-request-dark.png"), animations="disabled")
        # prefers-color-scheme: dark gives the dark palette
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"
        page.get_by_role("link", name="Reveal secrets").click()
        for secret in ("hunter2", "sekret-token", access_token):
            expect(main).to_contain_text(secret)
        page.get_by_role("link", name="Mask secrets").click()
        expect(main).not_to_contain_text("hunter2")
    finally:
        context.close()


def test_an_email_sent_through_ses_is_shown_with_its_code(serve: Serve, page: Page) -> None:
    to = f"{uuid.uuid4().hex[:8]}@example.com"
    client("sesv2", serve.aws_endpoint).send_email(
        FromEmailAddress="App <noreply@app.example>",
        Destination={"ToAddresses": [to]},
        Content={
            "Simple": {
                "Subject": {"Data": "Your sign-in code"},
                "Body": {
                    "Text": {"Data": "Your code is 482913. It expires in 10 minutes."},
                    "Html": {
                        "Data": "<p>Your code is <b>482913</b>.</p><script>document.title='ran'</script>"
                    },
                },
            }
        },
    )
    page.goto(f"{serve.url}/_emulator/emails?to={to}")
    email = page.get_by_role("article").filter(has_text="Your sign-in code")
    expect(email).to_be_visible()
    expect(email.get_by_label("Code")).to_have_text("482913")
    expect(email.locator("pre")).to_contain_text("expires in 10 minutes")
    frame = email.locator("iframe")
    expect(frame).to_have_attribute("sandbox", "")  # no scripts, no same origin
    expect(page.frame_locator("iframe.email-html").locator("b")).to_have_text("482913")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=serve.url)
    email.get_by_role("button", name="Copy code").click()
    expect(page.locator("#action-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == "482913"
    page.screenshot(path=str(IMAGES / "dashboard-emails.png"), animations="disabled")
    # Scripts, the JSON: the same URL answers JSON to anything but a browser asking for HTML.
    listed = requests.get(f"{serve.url}/_emulator/emails", params={"to": to}, timeout=10)
    assert listed.headers["Content-Type"] == "application/json"
    assert listed.json()[0]["subject"] == "Your sign-in code"
