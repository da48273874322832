"""Done-when check: a lead saved as the bot saves it shows in the dashboard and API within seconds,
and the email and webhook arrive exactly once, also across a web-server restart and with a
standalone worker running beside the web app's own. The process that writes the leads has no SMTP or
webhook settings: only the web app (and the standalone worker) have them.
"""

from __future__ import annotations

import signal
import subprocess
import time

import httpx
import pytest

from bot.schema import open_lead_store
from tests.support.services import (
    PASSWORD,
    PY,
    ROOT,
    SmtpReceiver,
    WebhookReceiver,
    WebServer,
    clean_notify_env,
    lead,
    login,
    smtp_env,
    staff_stack,
    wait_for,
)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_lead_reaches_dashboard_api_email_and_webhook_once(kind, tmp_path, monkeypatch):
    smtp, hook = SmtpReceiver().start(), WebhookReceiver().start()
    notify = dict(smtp_env(smtp.port, hook.url), OUTBOX_POLL_SECONDS="0.2")
    try:
        with staff_stack(kind, tmp_path, OUTBOX_IN_WEB="1", **notify) as site:
            # The writer (as the action server) has no SMTP or webhook settings of its own: the clinic's
            # policy queues the notifications and the web app's outbox worker delivers them.
            clean_notify_env(monkeypatch)
            store = open_lead_store(site.db)  # as the action server opens it: the outbox hook is installed
            first = store.save(lead(outcome="qualified", reasons=[]))
            auth = {"Authorization": f"Bearer {site.token}"}
            wait_for(
                lambda: any(
                    row["id"] == first for row in httpx.get(site.url + "/api/leads", headers=auth).json()["leads"]
                ),
                timeout=5,
                what="lead in the API",
            )
            with httpx.Client(follow_redirects=True) as client:
                assert first in login(client, site.url, "alice", PASSWORD).text
            wait_for(lambda: len(smtp.messages) == 1 and len(hook.received) == 1, timeout=10, what="both notifications")
            assert first in smtp.messages[0]["Subject"] and hook.received[0]["json"]["lead_id"] == first

            site.server.stop()  # restart: a lead saved while the web app is down is still delivered
            second = store.save(lead(urgent=True))
            worker = subprocess.Popen(
                [PY, "-m", "bot", "worker"],
                env=site.env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            server = WebServer(site.env, tmp_path / "web2.log").start()
            try:
                wait_for(lambda: len(smtp.messages) == 2 and len(hook.received) == 2, timeout=10, what="second lead")
                third = store.save(lead(human_requested=True, outcome=None))
                wait_for(lambda: len(smtp.messages) == 3 and len(hook.received) == 3, timeout=10, what="third lead")
                time.sleep(1.5)  # several more polls of both workers: nothing is sent again
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=15)
                server.stop()
            assert sorted(hook.keys()) == sorted(f"{i}:webhook" for i in (first, second, third))
            assert sorted(m["X-Idempotency-Key"] for m in smtp.messages) == sorted(
                f"{i}:email" for i in (first, second, third)
            )
            assert next(m for m in smtp.messages if second in m["Subject"])["Subject"].startswith("URGENT")
            store.engine.dispose()
    finally:
        smtp.stop()
        hook.stop()
