"""``/_emulator/functions`` and ``/_emulator/api/functions`` under ``serve``, over real HTTP and in
headless Chromium: each template function's configuration, its workers and its figures since
start, rising as requests arrive."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.emulator.dashboard.browsing import IMAGES, serving
from tests.waiting import until

API = "/_emulator/api/functions"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving("functions_app", tmp_path_factory.mktemp("dashboard-functions")) as running:
        yield running.root_url


def _functions(url: str) -> dict[str, dict[str, Any]]:
    answer = requests.get(f"{url}{API}", timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    return {entry["functionName"]: entry for entry in answer.json()["functions"]}


def test_each_function_shows_its_configuration(url: str) -> None:
    functions = _functions(url)
    assert sorted(functions) == ["EchoFunction", "SlowFunction", "responses-fn"]
    echo = functions["EchoFunction"]
    assert (echo["handler"], echo["runtime"], echo["memoryMb"], echo["timeoutS"]) == (
        "echo.handler",
        "python3.11",
        256,
        3.0,
    )
    assert echo["architectures"] == ["arm64"]
    responses = functions["responses-fn"]
    assert (responses["logicalId"], responses["architectures"]) == ("ResponsesFunction", ["x86_64"])
    assert functions["SlowFunction"]["timeoutS"] == 4.0
    assert echo["workers"]["limit"] == 10


def test_invocations_and_errors_rise_with_requests(url: str) -> None:
    before = _functions(url)["responses-fn"]["stats"]
    assert requests.get(f"{url}/dev/respond/ok", timeout=10).status_code == 201
    assert requests.get(f"{url}/dev/respond/raise", timeout=10).status_code == 502
    after = _functions(url)["responses-fn"]["stats"]
    assert after["invocations"] == before["invocations"] + 2
    assert after["errors"] == before["errors"] + 1
    assert after["errorsByKind"]["Unhandled"] == before["errorsByKind"].get("Unhandled", 0) + 1
    assert after["durationMs"]["samples"] == before["durationMs"]["samples"] + 2
    assert after["durationMs"]["p50"] is not None
    assert after["durationMs"]["p50"] <= after["durationMs"]["p99"]


def test_a_busy_worker_and_a_timeout_are_shown(url: str, tmp_path: Path) -> None:
    started = tmp_path / "started"
    answers: list[int] = []
    slow = threading.Thread(
        target=lambda: answers.append(
            requests.get(
                f"{url}/dev/slow", params={"seconds": "30", "started": str(started)}, timeout=30
            ).status_code
        )
    )
    slow.start()
    until(started.exists, timeout_s=30)
    # Busy from the moment its handler runs until its 4 s Timeout.
    workers = _functions(url)["SlowFunction"]["workers"]
    assert (workers["warm"], workers["busy"]) == (1, 1)
    slow.join(timeout=30)
    assert answers == [502]  # a function that timed out: an error, as a REST API answers it
    stats = _functions(url)["SlowFunction"]["stats"]
    assert (stats["invocations"], stats["errors"], stats["timeouts"]) == (1, 1, 1)
    assert stats["errorsByKind"] == {"TimedOut": 1}
    assert _functions(url)["SlowFunction"]["workers"]["busy"] == 0


def test_the_page_updates_its_counts_and_links_to_the_functions_requests(url: str, page: Page) -> None:
    page.goto(f"{url}/_emulator/functions")
    expect(page.get_by_role("heading", name="Functions")).to_be_visible()
    row = page.locator('tr[data-function="responses-fn"]')
    expect(row.locator("th")).to_contain_text("ResponsesFunction")  # the logical id under the name
    expect(row).to_contain_text("responses.handler")
    invocations = row.locator('td[data-field="invocations"]')
    errors = row.locator('td[data-field="errors"]')
    counted = int(invocations.inner_text())
    failed = int(errors.inner_text().split()[0])
    requests.get(f"{url}/dev/respond/ok", timeout=10)
    expect(invocations).to_have_text(str(counted + 1))  # without a reload: the page refreshes
    requests.get(f"{url}/dev/respond/raise", timeout=10)
    expect(invocations).to_have_text(str(counted + 2))
    expect(errors).to_contain_text(str(failed + 1))
    expect(errors).to_contain_text("Unhandled")
    expect(page.locator('tr[data-function="EchoFunction"]')).to_contain_text("arm64")
    page.screenshot(path=str(IMAGES / "dashboard-functions.png"), animations="disabled")
    row.get_by_role("link", name="responses-fn").click()
    expect(page.get_by_role("heading", name="Requests")).to_be_visible()
    expect(page.get_by_label("Function")).to_have_value("responses-fn")
    expect(page.locator("#requests tbody tr").first).to_contain_text("/dev/respond/raise")
