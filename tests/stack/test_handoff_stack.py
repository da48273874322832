"""Issue 3's done-when, end to end on the real stack: a screening through Rasa's REST channel becomes a
lead in the dashboard and the API within seconds, and one email and one webhook arrive, also when the
worker (the web app) is restarted in between.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid

import httpx
import pytest

from tests.support.services import PASSWORD, SmtpReceiver, WebhookReceiver, cli, login, smtp_env, wait_for
from tests.support.stack import MODEL, RunningStack

SCREENING = [
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
    "Robin Example",
    "robin@example.com",
    "720 555 0199",
    "afternoons",
    "yes",
]


def screen(stack, sender: str) -> str:
    for text in SCREENING:
        resp = httpx.post(
            f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        resp.raise_for_status()
    state = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token}).json()["slots"]
    assert state["screening_outcome"] == "qualified", state
    return state["lead_id"]


@pytest.mark.stack
def test_screening_through_rest_reaches_dashboard_api_email_and_webhook_once(tmp_path, monkeypatch):
    assert MODEL.exists(), "make train first"
    smtp, hook = SmtpReceiver().start(), WebhookReceiver().start()
    notify = dict(smtp_env(smtp.port, hook.url), OUTBOX_POLL_SECONDS="0.2", OUTBOX_IN_WEB="1")
    for key, value in notify.items():
        monkeypatch.setenv(key, value)  # the stack's three servers inherit these
    monkeypatch.setenv("RASA_AUTH_TOKEN", secrets.token_hex(16))
    stack = RunningStack(tmp_path)
    env = dict(os.environ, DATABASE_URL=stack.database_url)
    assert cli(env, "staff", "add", "nurse", "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    api_token = cli(env, "token", "add", "crm").stdout.strip().splitlines()[-1]
    stack.start()
    try:
        first = screen(stack, f"e2e-{uuid.uuid4().hex[:10]}")
        auth = {"Authorization": f"Bearer {api_token}"}
        listed = wait_for(
            lambda: [
                row
                for row in httpx.get(stack.web_url + "/api/leads", headers=auth).json()["leads"]
                if row["id"] == first
            ],
            timeout=5,
            what="lead in the API",
        )
        assert listed[0]["outcome"] == "qualified"
        with httpx.Client(follow_redirects=True) as client:
            assert first in login(client, stack.web_url, "nurse", PASSWORD).text
        wait_for(lambda: len(smtp.messages) == 1 and len(hook.received) == 1, timeout=15, what="email and webhook")
        assert first in smtp.messages[0]["Subject"] and hook.received[0]["json"]["lead_id"] == first
        assert "fibromyalgia" not in smtp.messages[0].as_string().lower()  # minimum necessary by default

        stack._stack.stop(only="web app")  # the worker is down while the next lead is stored
        second = screen(stack, f"e2e-{uuid.uuid4().hex[:10]}")
        stack._stack.start(only="web app")
        stack._stack.wait_ready(only="web app", timeout=60)
        wait_for(lambda: len(smtp.messages) == 2 and len(hook.received) == 2, timeout=15, what="second lead's notices")
        time.sleep(2)  # ten more polls: nothing is sent again
        assert sorted(hook.keys()) == sorted(f"{i}:webhook" for i in (first, second))
        assert sorted(m["X-Idempotency-Key"] for m in smtp.messages) == sorted(f"{i}:email" for i in (first, second))
    finally:
        stack.stop()
        smtp.stop()
        hook.stop()
