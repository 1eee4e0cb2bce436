"""The dashboard's browser tests' fixtures: headless Chromium driven by Playwright (see .browsing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.emulator.dashboard.browsing import CHROMIUM_ARGS, IMAGES, chromium_executable


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
