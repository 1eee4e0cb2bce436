"""The tables browser in a real browser (headless Chromium, Playwright) against ``serve``, with
boto3 on the same DynamoDB endpoint checking what the page did. No sleeps: ``expect`` waits."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from playwright.sync_api import Browser, Page, expect

from emulator.dashboard.masking import MASK
from tests.emulator.dashboard.browsing import IMAGES
from tests.emulator.dashboard.tables_app import ServedTables


def _row(page: Page, pk: str, sk: str = "profile") -> Any:
    return page.locator("#items tbody tr").filter(has_text=pk).filter(has_text=sk)


def test_a_table_item_edited_in_the_page_is_read_back_through_boto3(served: ServedTables, page: Page) -> None:
    pk = uuid.uuid4().hex
    served.put(pk, name="Ann", email="ann@example.com")
    page.goto(f"{served.table_page()}?pk={pk}")
    row = _row(page, pk)
    expect(row).to_contain_text("Ann")
    row.get_by_role("button", name="Edit").focus()
    page.keyboard.press("Enter")  # keyboard-usable
    editor = page.get_by_role("dialog", name="Edit item")
    text = editor.get_by_label("Item")
    expect(text).to_have_value(re.compile(r'"name": \{\s*"S": "Ann"'))
    page.screenshot(path=str(IMAGES / "dashboard-table-edit.png"), animations="disabled")
    text.fill("{not json")
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("#editor-error")).to_contain_text("Not JSON")
    expect(text).to_have_attribute("aria-invalid", "true")
    # A changed key is refused, with the reason.
    moved = {"pk": {"S": pk}, "sk": {"S": "moved"}, "name": {"S": "Ann"}}
    text.fill(json.dumps(moved))
    editor.get_by_role("button", name="Save").click()
    expect(editor.locator("#editor-error")).to_contain_text("a key cannot be changed in place")
    # Plain JSON, the edit itself.
    editor.get_by_label("Plain JSON").check()
    expect(editor.locator("#editor-error")).to_contain_text("read as plain JSON when saved")
    text.fill(json.dumps({"pk": pk, "sk": "profile", "name": "Ann Lee", "logins": 3}))
    editor.get_by_role("button", name="Save").click()
    expect(page.locator("#action-status")).to_contain_text("Saved the item")
    expect(row).to_contain_text("Ann Lee")
    assert served.get(pk) == {
        "pk": {"S": pk},
        "sk": {"S": "profile"},
        "name": {"S": "Ann Lee"},
        "logins": {"N": "3"},
    }
    assert served.get(pk, "moved") is None


def test_an_item_added_in_the_page_is_in_the_table(served: ServedTables, page: Page) -> None:
    pk = uuid.uuid4().hex
    page.goto(f"{served.table_page()}?pk={pk}")
    expect(page.locator("#empty")).to_be_visible()
    page.get_by_role("button", name="Add item").click()
    editor = page.get_by_role("dialog", name="Add item")
    text = editor.get_by_label("Item")
    expect(text).to_have_value(re.compile(r'"pk": \{\s*"S": ""'))
    text.fill(json.dumps({"pk": {"S": pk}, "sk": {"S": "new"}, "tags": {"SS": ["a", "b"]}}))
    editor.get_by_role("button", name="Save").click()
    expect(_row(page, pk, "new")).to_be_visible()
    assert served.get(pk, "new") == {"pk": {"S": pk}, "sk": {"S": "new"}, "tags": {"SS": ["a", "b"]}}


def test_delete_needs_a_confirmation(served: ServedTables, page: Page) -> None:
    pk = uuid.uuid4().hex
    served.put(pk, name="Bob")
    page.goto(f"{served.table_page()}?pk={pk}")
    row = _row(page, pk)
    row.get_by_role("button", name="Delete").click()
    confirm = page.get_by_role("dialog", name="Delete this item?")
    expect(confirm).to_be_visible()
    expect(confirm.locator("#delete-key")).to_contain_text(pk)
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()  # the safe choice first
    page.keyboard.press("Enter")  # Cancel
    expect(confirm).to_be_hidden()
    expect(row).to_be_visible()
    assert served.get(pk) is not None
    row.get_by_role("button", name="Delete").click()
    confirm.get_by_role("button", name="Delete item").click()
    expect(page.locator("#action-status")).to_contain_text("Deleted the item")
    expect(row).to_have_count(0)
    assert served.get(pk) is None


def test_a_query_by_partition_key_on_a_gsi_shows_the_item(served: ServedTables, page: Page) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    pk = uuid.uuid4().hex
    served.dynamodb.put_item(
        TableName="accounts",
        Item={"pk": {"S": pk}, "sk": {"S": "profile"}, "email": {"S": email}, "createdAt": {"N": "42"}},
    )
    served.put(uuid.uuid4().hex, email="someone-else@example.com")
    page.goto(served.table_page())
    page.get_by_label("Index").select_option("byEmail")
    page.get_by_label("Partition key value").fill(email)
    page.get_by_role("button", name="Query").click()
    expect(page.locator("#items tbody tr")).to_have_count(1)
    expect(_row(page, pk)).to_contain_text(email)
    # The index's keys come right after the table's.
    headers = page.locator("#items thead th").all_text_contents()
    assert [header.split()[0] for header in headers[:4]] == ["pk", "sk", "email", "createdAt"]


def test_paging_shows_the_next_page(served: ServedTables, page: Page) -> None:
    pk = uuid.uuid4().hex
    for sk in ("s1", "s2", "s3"):
        served.put(pk, sk)
    page.goto(f"{served.table_page()}?pk={pk}&limit=2")
    rows = page.locator("#items tbody tr")
    expect(rows).to_have_count(2)
    expect(_row(page, pk, "s3")).to_have_count(0)
    page.get_by_role("link", name="Next page").click()
    expect(_row(page, pk, "s3")).to_be_visible()
    expect(_row(page, pk, "s1")).to_have_count(0)
    page.get_by_role("link", name="First page").click()
    expect(_row(page, pk, "s1")).to_be_visible()


def test_the_tables_list_and_a_tables_page_with_secrets_masked_until_revealed(
    served: ServedTables, browser: Browser
) -> None:
    pk = uuid.uuid4().hex
    served.dynamodb.put_item(
        TableName="accounts",
        Item={
            "pk": {"S": f"USER#{pk}"},
            "sk": {"S": "profile"},
            "email": {"S": "ann@example.com"},
            "createdAt": {"N": "1764720000"},
            "passwordHash": {"S": "pbkdf2_sha256$600000$hunter2hash"},
            "expiresAt": {"N": "1767312000"},
        },
    )
    served.put(f"USER#{pk}", "session#1", refreshToken="rt-secret-value")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(f"{served.url}/_emulator/tables")
        row = page.locator("#tables tbody tr[data-table='accounts']")
        expect(row).to_contain_text("byEmail (GSI)")
        expect(row).to_contain_text("expiresAt (enabled)")
        expect(page.get_by_role("link", name="Tables")).to_have_attribute("aria-current", "page")
        page.screenshot(path=str(IMAGES / "dashboard-tables.png"), animations="disabled")
        row.get_by_role("link", name="accounts").click()
        expect(page.locator("#ttl")).to_have_text("expiresAt (enabled)")
        page.get_by_label("Partition key value").fill(f"USER#{pk}")
        page.get_by_role("button", name="Query").click()
        main = page.locator("main")
        expect(_row(page, pk)).to_contain_text(MASK)
        for secret in ("hunter2hash", "rt-secret-value"):
            expect(main).not_to_contain_text(secret)
        page.screenshot(path=str(IMAGES / "dashboard-table.png"), full_page=True, animations="disabled")
        page.get_by_role("link", name="Reveal secrets").click()
        for secret in ("hunter2hash", "rt-secret-value"):
            expect(main).to_contain_text(secret)
        page.get_by_role("link", name="Mask secrets").click()
        expect(main).not_to_contain_text("hunter2hash")
    finally:
        context.close()
