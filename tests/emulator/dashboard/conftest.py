"""The dashboard's browser tests' fixtures: headless Chromium driven by Playwright (see .browsing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.emulator.dashboard.browsing import CHROMIUM_ARGS, IMAGES, chromium_executable
from tests.emulator.dashboard.tables_app import ServedTables, serve_tables_app


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


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedTables]:
    """``serve`` of the tables browser's fixture app, one per test module."""
    with serve_tables_app(tmp_path_factory.mktemp("tables")) as served:
        yield served
