"""The dashboard over real HTTP: every route refuses without a session, login, CSRF, escaping, exports, audit, logs."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fhir.resources.questionnaireresponse import QuestionnaireResponse
from sqlalchemy import select

from bot.staff import audit, auth
from tests.support.services import (
    PASSWORD,
    csrf_of,
    lead,
    login,
    registered_routes,
    staff_stack,
    store_for,
    tracker_events,
)

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory):
    with staff_stack(request.param, tmp_path_factory.mktemp("web")) as s:
        s.store = store_for(s.db)
        s.lead = s.store.save(
            lead(
                full_name=XSS,
                conversation_id="conv-x",
                urgent=True,
                answers=dict(lead()["answers"], condition_detail='"><img src=x onerror=alert(2)>'),
            )
        )
        s.formula = s.store.save(lead(full_name='=HYPERLINK("http://evil")', conversation_id="conv-down"))
        s.rasa.trackers["conv-x"] = tracker_events(("bot", "What should I call you?"), ("user", XSS))
        yield s
        s.store.engine.dispose()


@pytest.fixture
def browser(site):
    with httpx.Client(follow_redirects=True, timeout=10) as client:
        assert login(client, site.url, "alice", PASSWORD).status_code == 200
        yield client


def test_every_staff_and_api_route_refuses_without_session_or_token(site):
    routes = registered_routes("staff", "api")
    assert ("staff/leads/<lead_id:str>", "POST") in routes and ("api/leads/<lead_id:str>", "PATCH") in routes
    checked = 0
    for path, method in routes:
        if path == "staff/login":
            continue  # the one open door
        url = site.url + "/" + re.sub(r"<[^>]+>", site.lead, path)
        for cookies in ({}, {"staff_session": "forged-session-id"}):
            resp = httpx.request(
                method, url, cookies=cookies, data={"status": "closed", "csrf_token": "x"}, follow_redirects=False
            )
            if path.startswith("api"):
                assert resp.status_code == 401, (method, path, resp.status_code)
            else:
                assert resp.status_code == 303 and resp.headers["location"].startswith("/staff/login"), (
                    method,
                    path,
                    resp.status_code,
                )
            assert "Dana" not in resp.text and "crps" not in resp.text
            checked += 1
    assert checked >= 2 * 10
    assert site.store.get(site.lead)["status"] == "new"


def test_login_cookie_flags_logout_and_expiry(site):
    with httpx.Client(timeout=10) as client:
        form = client.get(site.url + "/staff/login")
        resp = client.post(
            site.url + "/staff/login",
            data={
                "username": "alice",
                "password": PASSWORD,
                "csrf_token": csrf_of(form.text),
                "next": "//evil.example/x",
            },
        )
        assert resp.status_code == 303 and resp.headers["location"] == "/staff/leads"
        cookie = next(v for k, v in resp.headers.multi_items() if k == "set-cookie" and v.startswith("staff_session="))
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie  # plain http here
        page = client.get(site.url + "/staff/leads")
        assert page.status_code == 200 and "Log out" in page.text
        # a POST without the session's CSRF token is refused even with a good session
        assert client.post(site.url + f"/staff/leads/{site.lead}", data={"status": "contacted"}).status_code == 403
        assert client.post(site.url + "/staff/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
        client.cookies.set("staff_session", cookie.split(";")[0].split("=", 1)[1])
        assert client.get(site.url + "/staff/leads").status_code == 303  # the old cookie is dead

        login(client, site.url, "alice", PASSWORD)
        with site.store.engine.begin() as conn:
            conn.execute(auth.staff_sessions.update().values(expires_at=auth.now()))
        assert client.get(site.url + "/staff/leads").headers["location"].startswith("/staff/login")


def test_login_needs_its_csrf_token_and_locks_after_failures(site):
    with httpx.Client(timeout=10) as client:
        assert (
            client.post(site.url + "/staff/login", data={"username": "alice", "password": PASSWORD}).status_code == 403
        )
    assert auth.add_staff(site.store.engine, "bob", "bobs long password") > 0
    with httpx.Client(timeout=10) as client:
        for _ in range(5):
            assert login(client, site.url, "bob", "not the password").status_code == 401
        locked = login(client, site.url, "bob", "bobs long password")
        assert locked.status_code == 401 and "Too many failed logins" in locked.text


def test_list_marks_urgent_filters_and_escapes(site, browser):
    page = browser.get(site.url + "/staff/leads?sort=priority")
    assert XSS not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert re.search(r'<tr class="urgent" data-lead="%s"' % site.lead, page.text)
    assert page.text.index(site.lead) < page.text.index(site.formula)
    assert "new <b>2</b>" in page.text or re.search(r"new <b>\d+</b>", page.text)
    found = browser.get(site.url + "/staff/leads", params={"q": "HYPERLINK"})
    assert site.formula in found.text and site.lead not in found.text
    bad = browser.get(site.url + "/staff/leads?since=notadate")
    assert "Dates must look like" in bad.text
    headers = page.headers
    assert headers["cache-control"] == "no-store" and "frame-ancestors 'none'" in headers["content-security-policy"]


def test_lead_page_summary_transcript_and_escaping(site, browser):
    page = browser.get(f"{site.url}/staff/leads/{site.lead}").text
    assert XSS not in page and "<img src=x" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # name and transcript
    for shown in (
        "crps",
        "18 months",
        "8/10",
        "xanax",
        "a benzodiazepine",
        "URGENT",
        "Liver disease</td><td>unsure",
        "A heart or blood pressure condition</td><td>yes",
        "mornings",
        "555-0100",
        "What should I call you?",
    ):
        assert shown in page, shown
    other = browser.get(f"{site.url}/staff/leads/{site.formula}").text
    assert "The Rasa server answered HTTP 500, so the transcript is not shown." in other
    assert browser.get(f"{site.url}/staff/leads/L-NOTHERE").status_code == 404


def test_work_the_lead_with_csrf_and_history(site, browser):
    url = f"{site.url}/staff/leads/{site.formula}"
    token = csrf_of(browser.get(url).text)
    resp = browser.post(url, data={"csrf_token": token, "status": "closed", "note": "no <b>answer</b>"})
    assert "closing a lead needs a close_reason" in resp.text
    resp = browser.post(
        url, data={"csrf_token": token, "status": "closed", "close_reason": "no_answer", "note": "no <b>answer</b>"}
    )
    assert "Saved." in resp.text and "contacted" not in resp.text.split("History")[1].split("Export")[0]
    assert "alice" in resp.text and "no &lt;b&gt;answer&lt;/b&gt;" in resp.text and "(no answer)" in resp.text
    assert site.store.get(site.formula)["status"] == "closed"


def test_csv_export_is_filtered_and_formula_safe(site, browser):
    resp = browser.get(site.url + "/staff/leads.csv", params={"q": "HYPERLINK"})
    assert resp.headers["content-type"].startswith("text/csv") and "attachment" in resp.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert [r["id"] for r in rows] == [site.formula]
    assert rows[0]["full_name"] == '\'=HYPERLINK("http://evil")'


def test_fhir_export_is_a_valid_r4_questionnaire_response(site, browser):
    resp = browser.get(f"{site.url}/staff/leads/{site.lead}/fhir.json")
    assert resp.headers["content-type"].startswith("application/fhir+json")
    doc = json.loads(resp.text)
    QuestionnaireResponse.parse_obj(doc)
    assert doc["identifier"]["value"] == site.lead and doc["contained"][0]["name"][0]["text"] == XSS
    by_link = {i["linkId"]: i for i in doc["item"]}
    assert by_link["heart_condition"]["answer"] == [{"valueBoolean": True}]
    assert by_link["liver_disease"]["answer"][0]["valueCoding"]["code"] == "asked-unknown"
    assert by_link["medications"]["item"][0]["answer"] == [{"valueString": "xanax"}]


def test_audit_log_has_logins_views_exports_and_no_health_data(site, browser):
    browser.get(f"{site.url}/staff/leads/{site.lead}")
    browser.get(site.url + "/staff/leads.csv")
    browser.get(f"{site.url}/staff/leads/{site.lead}/fhir.json")
    with site.store.engine.connect() as conn:
        entries = [dict(e) for e in conn.execute(select(audit.audit_log)).mappings().all()]
    actions = {(e["actor"], e["action"], e["lead_id"]) for e in entries}
    assert {
        ("alice", "login", None),
        ("alice", "view_lead", site.lead),
        ("alice", "export_csv", None),
        ("alice", "export_fhir", site.lead),
    } <= actions
    dump = str(entries)
    for secret in ("crps", "xanax", "Dana", "script", "HYPERLINK", "answer", "mornings"):
        assert secret not in dump, secret
    assert "export_fhir" in browser.get(site.url + "/staff/audit").text


def test_server_log_holds_no_health_data(site, browser):
    browser.get(f"{site.url}/staff/leads/{site.lead}")
    log = site.server.log()
    for secret in ("crps", "xanax", "script", "HYPERLINK", "foot", "555-0100", "mornings"):
        assert secret not in log, secret


def test_a_locked_database_never_stalls_the_event_loop(site):
    """Database work runs in worker threads (bot/web/blocking.py, asyncio.to_thread): while an API write waits out
    SQLite's busy timeout, the same server answers /healthz at once; the waiting request then gets a clear 503."""
    if not site.db.startswith("sqlite:///"):
        pytest.skip("the held lock here is SQLite's (PostgreSQL under a held lock: test_reliability.py)")
    holder = sqlite3.connect(site.db[len("sqlite:///") :], isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(
                httpx.patch,
                f"{site.url}/api/leads/{site.lead}",
                json={"note": "while locked"},
                headers={"Authorization": f"Bearer {site.token}"},
                timeout=30,
            )
            time.sleep(0.5)  # the PATCH now waits for the lock (its token check records last use: a write)
            started = time.monotonic()
            assert httpx.get(site.url + "/healthz", timeout=10).status_code == 200
            assert time.monotonic() - started < 1.5
            assert not waiting.done()
            resp = waiting.result()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert resp.status_code == 503 and resp.headers["retry-after"] == "5" and "busy" in resp.json()["error"]
