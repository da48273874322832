"""The lead store with its outbox hook, the work list, accounts and audit, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.leads import outbox, worklist
from bot.leads.store import leads
from bot.schema import open_lead_store
from bot.staff import audit, auth
from tests.support.services import clean_notify_env, db_url, lead  # noqa: F401  (db_url is a fixture)


@pytest.fixture
def store(db_url, monkeypatch):  # noqa: F811
    # No SMTP or webhook settings in this process, as in the action server of a deployment that configures
    # notifications only where the worker runs: the clinic policy's channels are queued all the same.
    clean_notify_env(monkeypatch)
    s = open_lead_store(db_url)
    yield s
    s.engine.dispose()


def rows(store, table=outbox.outbox):
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table).order_by(table.c.id)).mappings().all()]


def test_qualified_lead_gets_one_outbox_row_per_channel_in_its_transaction(store):
    lead_id = store.save(lead(outcome="qualified", reasons=[]))
    store.save({"id": lead_id, "full_name": "Dana Changed"})  # a later update adds nothing
    got = rows(store)
    assert sorted((r["key"], r["state"]) for r in got) == [
        (f"{lead_id}:email", "pending"),
        (f"{lead_id}:webhook", "pending"),
    ]


def test_failed_hook_rolls_back_lead_and_outbox(store):
    def boom(conn, row, created):
        raise RuntimeError("later hook failed")

    store.hooks.append(boom)
    with pytest.raises(RuntimeError):
        store.save(lead(outcome="qualified"))
    assert rows(store, leads) == [] and rows(store) == []


@pytest.mark.parametrize(
    "fields,expected",
    [
        ({"outcome": "not_eligible"}, 0),
        ({"outcome": None}, 0),
        ({"outcome": "needs_review"}, 2),
        ({"outcome": None, "human_requested": True}, 2),
        ({"outcome": "not_eligible", "urgent": True}, 2),
    ],
)
def test_which_leads_notify(store, fields, expected):
    store.save(lead(**fields))
    assert len(rows(store)) == expected


def test_urgency_upgrades_a_pending_notice_and_escalates_a_sent_one(store):
    first = store.save(lead(outcome="qualified"))
    store.save({"id": first, "urgent": True})
    assert [(r["key"], r["urgent"]) for r in rows(store)] == [(f"{first}:email", True), (f"{first}:webhook", True)]

    second = store.save(lead(outcome="qualified"))
    with store.engine.begin() as conn:
        conn.execute(outbox.outbox.update().where(outbox.outbox.c.lead_id == second).values(state="sent"))
    store.save({"id": second, "urgent": True})
    store.save({"id": second, "urgent": True})  # idempotent
    keys = [r["key"] for r in rows(store) if r["lead_id"] == second]
    assert keys == [f"{second}:email", f"{second}:webhook", f"{second}:email:urgent", f"{second}:webhook:urgent"]


def test_a_clinic_without_notification_channels_queues_no_outbox_rows(db_url, monkeypatch):  # noqa: F811
    clean_notify_env(monkeypatch, SMTP_HOST="127.0.0.1", SMTP_TO="staff@clinic.example")  # settings alone queue nothing
    s = open_lead_store(db_url, notify_channels=())
    s.save(lead(outcome="qualified"))
    assert rows(s) == []
    s.engine.dispose()


def test_worklist_filters_search_sort_and_counts(store):
    a = store.save(lead(full_name="Ana Alvarez"))
    b = store.save(lead(full_name="Ben 100%_match", urgent=True))
    c = store.save(lead(full_name="Cy", human_requested=True))
    worklist.change(store.engine, a, "alice", status="contacted", note="left a message")
    engine = store.engine
    assert [r["id"] for r in worklist.list_leads(engine, worklist.Filters())] == [c, b, a]
    assert [r["id"] for r in worklist.list_leads(engine, worklist.Filters(sort="priority"))] == [b, c, a]
    assert [r["id"] for r in worklist.list_leads(engine, worklist.Filters(status="contacted"))] == [a]
    assert [r["id"] for r in worklist.list_leads(engine, worklist.Filters(q="ALVAREZ"))] == [a]
    assert [r["id"] for r in worklist.list_leads(engine, worklist.Filters(q="100%_"))] == [b]
    assert [r["id"] for r in worklist.list_leads(engine, worklist.Filters(q="_"))] == [b]  # literal, not a wildcard
    tomorrow = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    assert worklist.list_leads(engine, worklist.Filters(since=tomorrow)) == []
    assert len(worklist.list_leads(engine, worklist.Filters(until=tomorrow))) == 3
    assert worklist.status_counts(engine) == {"new": 2, "contacted": 1, "scheduled": 0, "closed": 0}


def test_status_changes_are_recorded_with_who_when_and_note(store):
    lead_id = store.save(lead())
    with pytest.raises(worklist.ChangeError, match="close_reason"):
        worklist.change(store.engine, lead_id, "alice", status="closed")
    with pytest.raises(worklist.ChangeError):
        worklist.change(store.engine, lead_id, "alice", status="lost")
    with pytest.raises(LookupError):
        worklist.change(store.engine, "L-NOPE", "alice", status="contacted")
    worklist.change(store.engine, lead_id, "alice", status="contacted", note="voicemail")
    worklist.change(store.engine, lead_id, "bob", status="closed", close_reason="no_answer")
    store.save({"id": lead_id, "status": "new", "phone": "555-0199"})  # the bot cannot reset the status
    assert store.get(lead_id)["status"] == "closed"
    events = worklist.history(store.engine, lead_id)
    assert [(e["actor"], e["from_status"], e["to_status"], e["note"]) for e in events] == [
        ("alice", "new", "contacted", "voicemail"),
        ("bob", "contacted", "closed", None),
    ]
    assert worklist.close_reason(events) == "no answer"


def test_staff_accounts_sessions_and_tokens(store):
    engine = store.engine
    uid = auth.add_staff(engine, "alice", "correct horse battery")
    with pytest.raises(auth.AuthError):
        auth.add_staff(engine, "alice", "another long password")
    with pytest.raises(auth.AuthError):
        auth.add_staff(engine, "bob", "short")
    with engine.connect() as conn:
        stored = conn.execute(select(auth.staff_users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2") and "correct horse" not in stored
    assert auth.check_password(engine, "alice", "wrong password!!") is None
    assert auth.check_password(engine, "nobody", "correct horse battery") is None
    assert auth.check_password(engine, "alice", "correct horse battery")["id"] == uid

    config = auth.SessionConfig(lifetime=dt.timedelta(hours=1), idle=dt.timedelta(minutes=5))
    sid, csrf = auth.start_session(engine, uid, config)
    session = auth.load_session(engine, sid, config)
    assert session["username"] == "alice" and session["csrf"] == csrf
    assert auth.load_session(engine, sid + "x", config) is None
    with engine.begin() as conn:  # idle too long
        conn.execute(auth.staff_sessions.update().values(last_seen_at=auth.now() - dt.timedelta(minutes=6)))
    assert auth.load_session(engine, sid, config) is None
    sid, _ = auth.start_session(engine, uid, config)
    with engine.begin() as conn:  # past its lifetime
        conn.execute(auth.staff_sessions.update().values(expires_at=auth.now() - dt.timedelta(seconds=1)))
    assert auth.load_session(engine, sid, config) is None

    token = auth.add_token(engine, "crm")
    with engine.connect() as conn:
        assert token not in str(conn.execute(select(auth.api_tokens)).mappings().one())
    assert auth.check_token(engine, token) == "crm"
    assert auth.check_token(engine, token[:-2] + "zz") is None
    assert auth.check_token(engine, "nonsense") is None
    auth.revoke_token(engine, "crm")
    assert auth.check_token(engine, token) is None


def test_audit_log_refuses_unknown_actions_and_keeps_no_detail_beyond_limit(store):
    audit.record(store.engine, "alice", "view_lead", lead_id="L-AAAA2222", ip="127.0.0.1")
    with pytest.raises(ValueError):
        audit.record(store.engine, "alice", "read_answers")
    entry = audit.recent(store.engine)[0]
    assert (entry["actor"], entry["action"], entry["lead_id"]) == ("alice", "view_lead", "L-AAAA2222")
    assert set(entry) == {"id", "at", "actor", "action", "lead_id", "detail", "ip"}
