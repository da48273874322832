"""The lead API over real HTTP: bearer tokens, filters, transcript from (a stub of) Rasa, PATCH, OpenAPI."""

from __future__ import annotations

import re

import httpx
import pytest
import yaml
from sqlalchemy import select

from bot.staff import audit
from tests.support.services import cli, lead, registered_routes, staff_stack, store_for, tracker_events


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory):
    with staff_stack(request.param, tmp_path_factory.mktemp("api")) as s:
        s.store = store_for(s.db)
        s.first = s.store.save(lead(full_name="Ana Alvarez", conversation_id="conv-ana"))
        s.second = s.store.save(lead(full_name="Ben Bell", outcome="qualified", conversation_id="conv-down"))
        s.rasa.trackers["conv-ana"] = tracker_events(
            ("bot", "Hi, I can check if ketamine may fit."), ("user", "I have CRPS <b>bad</b>")
        )
        s.auth = {"Authorization": f"Bearer {s.token}"}
        yield s
        s.store.engine.dispose()


def test_refuses_without_a_valid_token(site):
    url = site.url + "/api/leads"
    for headers in (
        {},
        {"Authorization": site.token},
        {"Authorization": "Basic " + site.token},
        {"Authorization": "Bearer " + site.token[:-1] + "x"},
        {"Authorization": "Bearer kst_000000000000_" + "a" * 43},
    ):
        resp = httpx.get(url, headers=headers)
        assert resp.status_code == 401 and resp.headers["www-authenticate"].startswith("Bearer")
        assert "error" in resp.json()


def test_list_filters_and_bad_parameters(site):
    resp = httpx.get(site.url + "/api/leads", headers=site.auth)
    assert resp.status_code == 200
    ids = [row["id"] for row in resp.json()["leads"]]
    assert ids[:2] == [site.second, site.first]
    assert resp.json()["leads"][0]["created_at"].endswith("Z")
    assert httpx.get(site.url + "/api/leads?since=2999-01-01", headers=site.auth).json()["leads"] == []
    assert len(httpx.get(site.url + "/api/leads?since=2000-01-01T00:00:00Z", headers=site.auth).json()["leads"]) >= 2
    for query, words in (
        ("status=lost", "status must be one of"),
        ("since=yesterday", "since must be"),
        ("limit=0", "limit must be"),
        ("limit=ten", "whole numbers"),
    ):
        bad = httpx.get(site.url + "/api/leads?" + query, headers=site.auth)
        assert bad.status_code == 400 and words in bad.json()["error"]


def test_one_lead_with_transcript_or_a_note_when_rasa_fails(site):
    resp = httpx.get(f"{site.url}/api/leads/{site.first}", headers=site.auth)
    body = resp.json()
    assert resp.status_code == 200 and body["id"] == site.first and body["answers"]["condition"] == "crps"
    assert [t["sender"] for t in body["transcript"]] == ["bot", "visitor"]
    assert body["transcript"][1]["text"] == "I have CRPS <b>bad</b>" and body["transcript_error"] is None
    assert any(f"token={site.rasa.token}" in r for r in site.rasa.requests)
    down = httpx.get(f"{site.url}/api/leads/{site.second}", headers=site.auth).json()
    assert down["transcript"] is None and "HTTP 500" in down["transcript_error"]
    missing = httpx.get(f"{site.url}/api/leads/L-NOTHERE", headers=site.auth)
    assert missing.status_code == 404 and "L-NOTHERE" in missing.json()["error"]


@pytest.mark.parametrize(
    "body,words",
    [
        (b"{not json", "must be JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"status": "done"}', "status must be one of"),
        (b'{"status": "closed"}', "close_reason"),
        (b'{"stage": "x"}', "unknown field"),
        (b'{"note": 5}', "note must be a string"),
        (b"{}", "nothing to change"),
    ],
)
def test_patch_rejects_bad_bodies_with_a_message(site, body, words):
    resp = httpx.patch(
        f"{site.url}/api/leads/{site.first}",
        headers=dict(site.auth, **{"Content-Type": "application/json"}),
        content=body,
    )
    assert resp.status_code == 400 and words in resp.json()["error"]


def test_patch_changes_status_records_who_and_audits(site):
    assert (
        httpx.patch(f"{site.url}/api/leads/L-NOTHERE", headers=site.auth, json={"status": "contacted"}).status_code
        == 404
    )
    resp = httpx.patch(
        f"{site.url}/api/leads/{site.second}",
        headers=site.auth,
        json={"status": "closed", "close_reason": "treated", "note": "booked elsewhere"},
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "closed" and body["history"][-1]["actor"] == "token:crm"
    assert body["history"][-1]["note"] == "booked elsewhere"
    closed = httpx.get(site.url + "/api/leads?status=closed", headers=site.auth).json()["leads"]
    assert [row["id"] for row in closed] == [site.second]
    assert httpx.get(f"{site.url}/api/leads/{site.second}", headers=site.auth).status_code == 200  # audited as api_view
    with site.store.engine.connect() as conn:
        entries = conn.execute(select(audit.audit_log)).mappings().all()
    assert {"api_list", "api_view", "api_update"} <= {e["action"] for e in entries}
    assert all("booked" not in str(dict(e)) and "crps" not in str(dict(e)) for e in entries)


def test_revoked_token_is_refused(site):
    fresh = cli(site.env, "token", "add", "temp").stdout.strip().splitlines()[-1]
    assert httpx.get(site.url + "/api/leads", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    assert cli(site.env, "token", "revoke", "temp").returncode == 0
    assert httpx.get(site.url + "/api/leads", headers={"Authorization": f"Bearer {fresh}"}).status_code == 401


def test_openapi_document_describes_every_api_route(site):
    assert httpx.get(site.url + "/api/openapi.yaml").status_code == 401
    resp = httpx.get(site.url + "/api/openapi.yaml", headers=site.auth)
    assert resp.status_code == 200
    doc = yaml.safe_load(resp.text)
    assert doc["openapi"].startswith("3.") and doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, method in registered_routes("api"):
        documented = re.sub(r"<(\w+):\w+>", r"{\1}", "/" + path)
        assert documented in doc["paths"], documented
        assert method.lower() in doc["paths"][documented], (documented, method)
