"""The dashboard in a real browser (Debian's Chromium driven by Playwright).

Log in, watch a new lead appear without touching the page, open it, change its status, export CSV,
and see a visitor-typed `<script>` shown as text, never run.
"""

from __future__ import annotations

import csv
import io
import os

import pytest

from tests.support.services import PASSWORD, lead, staff_stack, store_for, tracker_events

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
XSS = "<script>alert(1)</script>"


@pytest.fixture
def page(tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(accept_downloads=True)
        pg = context.new_page()
        dialogs = []
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pg.dialogs = dialogs
        yield pg
        context.close()
        browser.close()


def test_staff_work_a_new_lead_in_the_browser(tmp_path, page):
    with staff_stack("sqlite", tmp_path) as site:
        store = store_for(site.db)
        page.goto(site.url + "/staff/leads")
        assert page.url.startswith(site.url + "/staff/login")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(site.url + "/staff/leads")
        assert page.locator("table.leads tbody tr").first.inner_text().strip() == "No leads match."

        lead_id = store.save(lead(full_name=XSS, conversation_id="conv-b", human_requested=True))
        site.rasa.trackers["conv-b"] = tracker_events(("user", XSS), ("bot", "Thanks, a person will call you."))
        row = page.locator(f"tr[data-lead='{lead_id}']")
        row.wait_for(timeout=15000)  # the list refreshes by itself
        assert row.locator("td.name").inner_text() == XSS
        assert "asked for a person" in row.inner_text()

        row.locator("a").click()
        page.wait_for_url(f"{site.url}/staff/leads/{lead_id}")
        assert page.locator("dd.name").inner_text() == XSS
        assert page.locator("ol.turns li.visitor").inner_text().endswith(XSS)
        assert page.locator("#current-status").inner_text() == "new"

        page.select_option("select[name=status]", "contacted")
        page.fill("textarea[name=note]", "Left a voicemail <b>x</b>")
        page.click(".work button[type=submit]")
        page.wait_for_url(f"{site.url}/staff/leads/{lead_id}?saved=1")
        assert page.locator("#current-status").inner_text() == "contacted"
        assert "Left a voicemail <b>x</b>" in page.locator("ol.history").inner_text()
        assert store.get(lead_id)["status"] == "contacted"

        page.goto(site.url + "/staff/leads?status=contacted")
        with page.expect_download() as download:
            page.click("#export-csv")
        rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
        assert [(r["id"], r["status"], r["full_name"]) for r in rows] == [(lead_id, "contacted", XSS)]

        assert page.dialogs == []  # no script ever ran
        store.engine.dispose()
