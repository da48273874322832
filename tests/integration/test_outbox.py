"""The outbox worker against a real SMTP server (aiosmtpd) and a real webhook receiver, on both databases.

Receivers down then up, two workers at once, and the standalone worker killed (SIGKILL) after the
receiver accepted a message but before the result was committed.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, text

from bot.infra import clock
from bot.leads import outbox, worker
from bot.schema import open_lead_store
from bot.settings import Settings
from tests.support.services import (  # noqa: F401
    PY,
    ROOT,
    SmtpReceiver,
    WebhookReceiver,
    clean_notify_env,
    db_url,
    lead,
    smtp_env,
    subprocess_env,
    wait_for,
)

FAST = {"OUTBOX_RETRY_BASE_SECONDS": "0.2", "OUTBOX_RETRY_MAX_SECONDS": "0.5", "OUTBOX_POLL_SECONDS": "0.1"}
POLICY = SimpleNamespace(include_health_summary=False)


@pytest.fixture
def receivers():
    smtp, hook = SmtpReceiver(), WebhookReceiver()
    yield smtp, hook
    smtp.stop()
    hook.stop()


def setup_store(db, monkeypatch, smtp, hook, channels=("email", "webhook")):
    env = smtp_env(smtp.port, hook.url)
    if "email" not in channels:
        env["SMTP_HOST"] = ""
    if "webhook" not in channels:
        env["WEBHOOK_URL"] = ""
    clean_notify_env(monkeypatch, **env, **FAST, STAFF_BASE_URL="https://clinic.example")
    return open_lead_store(db, notify_channels=channels), dict(env, **FAST, STAFF_BASE_URL="https://clinic.example")


def items(store):
    with store.engine.connect() as conn:
        rows = conn.execute(select(outbox.outbox).order_by(outbox.outbox.c.id)).mappings().all()
        attempts = conn.execute(select(outbox.outbox_attempts).order_by(outbox.outbox_attempts.c.id)).mappings().all()
    return [dict(r) for r in rows], [dict(a) for a in attempts]


def run_once(store, env, policy=POLICY):
    return asyncio.run(worker.build_worker(store.engine, policy, Settings.from_env(env)).run_once())


def test_minimum_necessary_notification_by_email_and_webhook(db_url, monkeypatch, receivers):  # noqa: F811
    smtp, hook = receivers
    smtp.start(), hook.start()
    store, env = setup_store(db_url, monkeypatch, smtp, hook)
    lead_id = store.save(lead(full_name="Dana Secretname"))
    assert run_once(store, env) == 2
    assert run_once(store, env) == 0  # nothing left: sent exactly once

    assert len(smtp.messages) == 1 and len(hook.received) == 1
    mail, posted = smtp.messages[0], hook.received[0]
    body = mail.get_payload()
    assert mail["Subject"] == f"New lead {lead_id}: needs clinician review"
    assert f"https://clinic.example/staff/leads/{lead_id}" in body and "Status: new" in body and "Urgent: no" in body
    assert mail["X-Idempotency-Key"] == f"{lead_id}:email" and mail["Message-ID"].endswith("@clinic.example>")
    payload = posted["json"]
    assert posted["headers"]["idempotency-key"] == f"{lead_id}:webhook" == payload["idempotency_key"]
    assert payload["text"].startswith(f"New lead {lead_id}") and payload["url"].endswith(lead_id)
    for secret in ("Secretname", "crps", "xanax", "heart", "foot", "555-0100", "dana@example.org"):
        assert secret not in body and secret not in str(payload)

    rows, attempts = items(store)
    assert [r["state"] for r in rows] == ["sent", "sent"] and [a["result"] for a in attempts] == ["sent", "sent"]


def test_urgent_says_so_first_and_health_summary_only_when_the_policy_says(db_url, monkeypatch, receivers):  # noqa: F811
    smtp, hook = receivers
    smtp.start(), hook.start()
    store, env = setup_store(db_url, monkeypatch, smtp, hook)
    lead_id = store.save(lead(urgent=True))
    run_once(store, env, SimpleNamespace(include_health_summary=True))
    mail = smtp.messages[0]
    assert mail["Subject"].startswith(f"URGENT: lead {lead_id}") and mail["X-Priority"] == "1"
    assert mail.get_payload().startswith("URGENT:") and hook.received[0]["json"]["text"].startswith("URGENT:")
    assert "Condition: crps (right foot after surgery)" in mail.get_payload()
    assert "Medication: xanax - a benzodiazepine (review)" in hook.received[0]["json"]["text"]


def test_receivers_down_then_up_retries_with_backoff_and_sends_once(db_url, monkeypatch, receivers):  # noqa: F811
    smtp, hook = receivers  # not started: connection refused on both ports
    store, env = setup_store(db_url, monkeypatch, smtp, hook)
    lead_id = store.save(lead(outcome="qualified", reasons=[]))
    for _ in range(3):
        run_once(store, env)
        time.sleep(0.6)  # past the (test) backoff
    rows, attempts = items(store)
    assert [r["state"] for r in rows] == ["pending", "pending"]
    assert all(r["attempts"] >= 3 and r["last_error"] for r in rows)
    assert len(attempts) == sum(r["attempts"] for r in rows) and {a["result"] for a in attempts} == {"failed"}
    for r in rows:  # the next try waits for the backoff
        last = max(clock.aware(a["finished_at"]) for a in attempts if a["outbox_id"] == r["id"])
        assert clock.aware(r["next_attempt_at"]) > last
    assert all("Secret" not in (a["error"] or "") for a in attempts)

    smtp.start()
    hook.status = 503  # webhook up but failing: still retried
    hook.start()
    run_once(store, env)
    assert len(smtp.messages) == 1 and len(hook.received) == 1
    hook.status = 200
    time.sleep(0.6)
    run_once(store, env)
    time.sleep(0.6)
    run_once(store, env)
    rows, attempts = items(store)
    assert [r["state"] for r in rows] == ["sent", "sent"]
    assert len(smtp.messages) == 1 and hook.keys() == [f"{lead_id}:webhook", f"{lead_id}:webhook"]
    hook_results = [a["result"] for a in attempts if a["outbox_id"] == rows[1]["id"]]
    assert hook_results[-1] == "sent" and set(hook_results[:-1]) == {"failed"} and len(hook_results) >= 5


def test_backoff_grows_and_is_capped():
    config = outbox.WorkerConfig(retry_base_seconds=10, retry_max_seconds=900)
    assert [config.backoff(n) for n in (1, 2, 3, 7, 20)] == [10, 20, 40, 640, 900]


def test_two_workers_at_once_deliver_each_notice_once(db_url, monkeypatch, receivers):  # noqa: F811
    smtp, hook = receivers
    smtp.start(), hook.start()
    store, env = setup_store(db_url, monkeypatch, smtp, hook)
    ids = [store.save(lead(outcome="qualified")) for _ in range(5)]

    async def both():
        a = worker.build_worker(store.engine, POLICY, Settings.from_env(env))
        b = worker.build_worker(open_lead_store(db_url).engine, POLICY, Settings.from_env(env))
        return await asyncio.gather(a.run_once(), b.run_once())

    assert sum(asyncio.run(both())) == 10
    assert sorted(hook.keys()) == sorted(f"{i}:webhook" for i in ids)
    assert len(set(smtp.message_ids())) == len(smtp.messages) == 5


class RowLock:
    """Holds a write lock on the outbox from another connection, so the worker blocks before recording."""

    def __init__(self, db: str) -> None:
        self.db, self.handle = db, None

    def take(self) -> None:
        if self.db.startswith("sqlite"):
            self.handle = sqlite3.connect(
                self.db[len("sqlite:///") :], timeout=30, check_same_thread=False, isolation_level=None
            )
            self.handle.execute("BEGIN IMMEDIATE")
        else:
            engine = create_engine(self.db, future=True)
            conn = engine.connect()
            trans = conn.begin()
            conn.execute(text("SELECT id FROM outbox FOR UPDATE"))
            self.handle = (engine, conn, trans)

    def release(self) -> None:
        if isinstance(self.handle, sqlite3.Connection):
            self.handle.execute("ROLLBACK")
            self.handle.close()
        elif self.handle:
            engine, conn, trans = self.handle
            trans.rollback()
            conn.close()
            engine.dispose()


@pytest.mark.parametrize("channel", ["email", "webhook"])
def test_worker_killed_between_send_and_record_resends_with_the_same_key(
    db_url,  # noqa: F811  (the fixture)
    monkeypatch,
    receivers,
    channel,
    tmp_path,
):
    smtp, hook = receivers
    smtp.start(), hook.start()
    store, env = setup_store(db_url, monkeypatch, smtp, hook, channels=(channel,))
    lead_id = store.save(lead())
    lock = RowLock(db_url)
    first_delivery = {"locked": False}

    def take_lock(_):
        if not first_delivery["locked"]:
            first_delivery["locked"] = True
            lock.take()  # before the receiver answers: the worker's record must wait

    smtp.on_data = take_lock
    hook.on_post = take_lock
    penv = subprocess_env(db_url, **env, OUTBOX_LEASE_SECONDS="2")
    log = open(tmp_path / "worker.log", "wb")
    worker = subprocess.Popen([PY, "-m", "bot", "worker"], env=penv, cwd=ROOT, stdout=log, stderr=log)
    try:
        received = (lambda: smtp.messages) if channel == "email" else (lambda: hook.received)
        wait_for(received, timeout=30, what="first delivery")
        time.sleep(1.0)  # the worker is now blocked writing the result
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        lock.release()
        log.close()
    rows, attempts = items(store)
    assert rows[0]["state"] == "sending" and [a["result"] for a in attempts] == ["started"]

    log = open(tmp_path / "worker.log", "ab")
    restarted = subprocess.Popen([PY, "-m", "bot", "worker"], env=penv, cwd=ROOT, stdout=log, stderr=log)
    try:
        wait_for(lambda: items(store)[0][0]["state"] == "sent", timeout=30, what="re-send after the lease")
        time.sleep(0.5)
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=15) == 0
        log.close()
    logged = (tmp_path / "worker.log").read_text()
    assert lead_id in logged and "Dana" not in logged and "crps" not in logged
    rows, attempts = items(store)
    assert rows[0]["attempts"] == 2 and [a["result"] for a in attempts] == ["started", "sent"]
    key = f"{lead_id}:{channel}"
    if channel == "email":
        # Two physical deliveries, one Message-ID: a mail system that de-duplicates shows it once.
        assert len(smtp.messages) == 2 and len(set(smtp.message_ids())) == 1
        assert {m["X-Idempotency-Key"] for m in smtp.messages} == {key}
    else:
        assert hook.keys() == [key, key] and len(set(hook.keys())) == 1


def test_restarting_the_worker_outside_the_window_sends_nothing_again(db_url, monkeypatch, receivers):  # noqa: F811
    smtp, hook = receivers
    smtp.start(), hook.start()
    store, env = setup_store(db_url, monkeypatch, smtp, hook)
    store.save(lead())
    penv = subprocess_env(db_url, **env)
    for _ in range(2):
        done = subprocess.run(
            [PY, "-m", "bot", "worker", "--once"], env=penv, cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
    assert len(smtp.messages) == 1 and len(hook.received) == 1
    assert "Dana" not in done.stderr and "crps" not in done.stderr
