"""Issue 11 end to end on the real stack (SQLite): forget-me through the dashboard, the API, the command
line and the visitor's own "delete my data" leaves no trace of the conversation's text, answers or
contact details in the lead database or Rasa's tracker file.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import string
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.services import PASSWORD, WebhookReceiver, cli, csrf_of, login, wait_for
from tests.support.stack import MODEL, RunningStack


def script(marker: str) -> list:
    return [
        "hi",
        "yes",
        "I'm 52 and I have fibromyalgia",
        "about 4 years",
        "8",
        "physical therapy",
        "none",
        "yes",
        "no",
        "no",
        "no",
        "no",
        "no",
        "no",
        "no",
        "no",
        f"Robin {marker}",
        f"{marker.lower()}@example.com",
        "720 555 0199",
        "afternoons",
        "yes",
    ]


def say(stack, sender: str, text: str) -> list:
    resp = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    resp.raise_for_status()
    return resp.json()


def screen(stack, sender: str, marker: str) -> str:
    for text in script(marker):
        say(stack, sender, text)
    lead = stack.leads.for_conversation(sender)
    assert lead and lead[0]["full_name"] == f"Robin {marker}"
    return lead[0]["id"]


def tracker_rows(stack, sender: str) -> int:
    with sqlite3.connect(stack.tracker_db) as conn:
        return conn.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def file_bytes(*paths: Path) -> bytes:
    out = b""
    for path in paths:
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")):
            if p.exists():
                out += p.read_bytes()
    return out


@pytest.mark.stack
def test_forget_me_through_every_route_leaves_no_trace(tmp_path, monkeypatch):
    assert MODEL.exists(), "make train first"
    hook = WebhookReceiver().start()
    for key, value in {"WEBHOOK_URL": hook.url, "OUTBOX_IN_WEB": "0", "SMTP_HOST": "", "SMTP_TO": ""}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("RASA_AUTH_TOKEN", secrets.token_hex(16))
    stack = RunningStack(tmp_path)
    env = dict(os.environ, DATABASE_URL=stack.database_url, RASA_URL=stack.rasa_url)
    assert cli(env, "staff", "add", "nurse", "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    api_token = cli(env, "token", "add", "crm").stdout.strip().splitlines()[-1]
    stack.start()
    letters = lambda: "".join(secrets.choice(string.ascii_lowercase) for _ in range(6))  # noqa: E731 (names have no digits)
    markers = {route: f"Qz{route}{letters()}" for route in ("staff", "api", "cli", "visitor")}
    senders = {route: f"pv-{route}-{uuid.uuid4().hex[:8]}" for route in markers}
    kept = f"pv-kept-{uuid.uuid4().hex[:8]}"
    try:
        ids = {route: screen(stack, senders[route], markers[route]) for route in markers}
        keep_id = screen(stack, kept, "Keeper")
        assert tracker_rows(stack, senders["staff"]) > 0

        # 1. staff: lead page -> confirm page -> POST with CSRF and the confirmation
        with httpx.Client(follow_redirects=True, timeout=60) as client:
            login(client, stack.web_url, "nurse", PASSWORD)
            page = client.get(f"{stack.web_url}/staff/leads/{ids['staff']}/erase")
            assert "cannot be undone" in page.text
            refused = client.post(
                f"{stack.web_url}/staff/leads/{ids['staff']}/erase", data={"csrf_token": "wrong", "confirm": "yes"}
            )
            assert refused.status_code == 403 and stack.leads.get(ids["staff"]) is not None
            done = client.post(
                f"{stack.web_url}/staff/leads/{ids['staff']}/erase",
                data={"csrf_token": csrf_of(page.text), "confirm": "yes"},
            )
            assert (
                done.status_code == 200
                and f"Lead {ids['staff']} was erased" in done.text
                and "NOT erased" not in done.text
            )

        # 2. API
        auth = {"Authorization": f"Bearer {api_token}"}
        assert httpx.delete(f"{stack.web_url}/api/leads/{ids['api']}", headers={}, timeout=60).status_code == 401
        assert httpx.delete(f"{stack.web_url}/api/leads/{ids['api']}", headers=auth, timeout=60).status_code == 204
        assert httpx.delete(f"{stack.web_url}/api/leads/{ids['api']}", headers=auth, timeout=60).status_code == 404

        # 3. command line
        erased = cli(env, "erase", ids["cli"])
        assert erased.returncode == 0 and "conversation: erased" in erased.stdout, erased.stdout + erased.stderr

        # 4. the visitor, with one confirmation
        ask = " ".join(m.get("text", "") for m in say(stack, senders["visitor"], "please delete my data"))
        assert "Delete it?" in ask and stack.leads.get(ids["visitor"]) is not None
        told = " ".join(m.get("text", "") for m in say(stack, senders["visitor"], "yes, delete"))
        assert "have been deleted" in told
        wait_for(lambda: tracker_rows(stack, senders["visitor"]) == 0, timeout=20, what="visitor's tracker erased")

        # The Rasa route itself needs the token.
        assert httpx.delete(f"{stack.rasa_url}/webhooks/rest/conversations/{kept}", timeout=10).status_code == 401

        for route in markers:
            assert stack.leads.get(ids[route]) is None and tracker_rows(stack, senders[route]) == 0, route
        assert stack.leads.get(keep_id) is not None and tracker_rows(stack, kept) > 0
        with sqlite3.connect(Path(stack.database_url[len("sqlite:///") :])) as conn:
            boxes = conn.execute("SELECT DISTINCT lead_id FROM outbox").fetchall()
            erases = conn.execute("SELECT actor, lead_id FROM audit_log WHERE action = 'erase'").fetchall()
        assert boxes == [(keep_id,)]
        assert sorted(lid for _, lid in erases) == sorted(ids.values())
        assert {"nurse", "token:crm", "visitor"} <= {actor for actor, _ in erases}
        data = file_bytes(Path(stack.database_url[len("sqlite:///") :]), stack.tracker_db).lower()
        for route, marker in markers.items():
            assert marker.lower().encode() not in data, route
        assert b"keeper" in data  # the kept conversation is still there in plain text: the grep can see
    finally:
        stack.stop()
        hook.stop()
