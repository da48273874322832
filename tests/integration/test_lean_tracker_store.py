"""LeanSQLTrackerStore against Rasa's own SQLTrackerStore, on real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_plugins.tracker_store import LeanSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
PG = dict(dialect="postgresql", host="127.0.0.1", port=5432, db="test", username="postgres")


def postgres_reason() -> str:
    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test", connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL at 127.0.0.1:5432 (database test) does not answer: {type(exc).__name__}: {exc}"
    return ""


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, monkeypatch) -> Iterator[dict]:
    """Keyword arguments for a store on a fresh database: a SQLite file or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield dict(dialect="sqlite", db=str(tmp_path / "tracker.db"))
        return
    reason = postgres_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    schema = "lt_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine("postgresql://postgres@127.0.0.1:5432/test")
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)  # Rasa's own setting: search_path of every connection
    try:
        yield dict(PG)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def turn(i: int, t: float) -> list:
    """One user turn as Rasa records it: message, form step, slot, bot reply, listen."""
    return [
        UserUttered(
            f"message {i}",
            {"name": "inform", "confidence": 0.9},
            [{"entity": "condition", "value": "crps"}],
            timestamp=t,
        ),
        ActionExecuted("screening_form", policy="RulePolicy", confidence=1.0, timestamp=t + 0.01),
        SlotSet("age", 40.0 + i, timestamp=t + 0.02),
        ActiveLoop("screening_form", timestamp=t + 0.03),
        BotUttered(f"question {i}", {"buttons": []}, {"utter_action": "utter_ask_age"}, timestamp=t + 0.04),
        ActionExecuted("action_listen", timestamp=t + 0.05),
    ]


def session_start(t: float) -> list:
    return [
        ActionExecuted("action_session_start", timestamp=t),
        SessionStarted(timestamp=t + 0.001),
        ActionExecuted("action_listen", timestamp=t + 0.002),
    ]


def new_tracker(sender: str, events: list) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


def dicts(tracker) -> List[dict]:
    return [e.as_dict() for e in tracker.events] if tracker else []


def rows(store, sender: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()


def run(coro):
    return asyncio.run(coro)


def test_round_trip_same_as_rasa_both_ways(db):
    rasa_store = SQLTrackerStore(DOMAIN, **db)
    lean = LeanSQLTrackerStore(DOMAIN, **db)
    events = session_start(1000.0) + turn(1, 1001.0) + turn(2, 1002.0)
    run(rasa_store.save(new_tracker("by-rasa", events)))
    run(lean.save(new_tracker("by-lean", events)))
    everything = dicts(new_tracker("x", events))
    latest = dicts(run(rasa_store.retrieve("by-rasa")))  # Rasa: from the last SessionStarted on
    assert latest == everything[1:]
    for store in (rasa_store, lean):  # each reads what the other wrote, identically
        for sender in ("by-rasa", "by-lean"):
            assert dicts(run(store.retrieve(sender))) == latest
            assert dicts(run(store.retrieve_full_tracker(sender))) == everything
    assert run(lean.retrieve("nobody")) is None
    assert sorted(run(lean.keys())) == ["by-lean", "by-rasa"]


def test_appending_across_saves_and_sessions_matches_rasa(db):
    rasa_store, lean = SQLTrackerStore(DOMAIN, **db), LeanSQLTrackerStore(DOMAIN, **db)
    for store, sender in ((rasa_store, "r"), (lean, "l")):
        run(store.save(new_tracker(sender, session_start(1000.0) + turn(0, 1000.5))))
        for i in range(1, 4):  # what the processor does per turn: retrieve, add events, save
            tracker = run(store.retrieve(sender))
            for e in turn(i, 1000.0 + i):
                tracker.update(e)
            run(store.save(tracker))
            run(store.save(tracker))  # saving twice adds nothing
        tracker = run(store.retrieve(sender))  # a new session: only it comes back from retrieve()
        for e in session_start(2000.0) + turn(9, 2001.0):
            tracker.update(e)
        run(store.save(tracker))
    assert rows(lean, "l") == rows(rasa_store, "r") == 3 + 6 * 4 + 3 + 6
    for method in ("retrieve", "retrieve_full_tracker"):
        r, l_ = run(getattr(rasa_store, method)("r")), run(getattr(lean, method)("l"))
        assert dicts(l_) == dicts(r) and dicts(l_)
    assert len(run(lean.retrieve("l")).events) == 8  # the new session: SessionStarted, listen, one turn
    # a tracker the lean store did not load (no remembered count) uses the count query
    fresh = new_tracker("l", [e for e in run(lean.retrieve("l")).events] + turn(10, 2002.0))
    run(lean.save(fresh))
    assert rows(lean, "l") == 3 + 6 * 4 + 3 + 6 + 6


def test_delete_and_retention(db):
    lean = LeanSQLTrackerStore(DOMAIN, **db)
    run(lean.save(new_tracker("old", session_start(1000.0) + turn(1, 1001.0))))
    run(lean.save(new_tracker("new", session_start(5000.0) + turn(1, 5001.0))))
    assert lean.conversation_ids_older_than(3000.0) == ["old"]
    import datetime as dt

    assert lean.conversation_ids_older_than(dt.datetime.fromtimestamp(9000.0, dt.timezone.utc)) == ["new", "old"]
    assert run(lean.delete("old")) == 9
    assert rows(lean, "old") == 0 and run(lean.retrieve("old")) is None
    assert rows(lean, "new") == 9 and lean.conversation_ids_older_than(9000.0) == ["new"]
    assert run(lean.delete("old")) == 0


def test_has_message_finds_exactly_a_stored_user_message_id(db):
    lean = LeanSQLTrackerStore(DOMAIN, **db)
    said = UserUttered("45", {"name": "inform", "confidence": 0.9}, [], message_id="m-a_1")
    run(lean.save(new_tracker("conv", session_start(1000.0) + [said])))
    assert run(lean.has_message("conv", "m-a_1"))
    assert not run(lean.has_message("conv", "m-aX1"))  # "_" is not a wildcard
    assert not run(lean.has_message("conv", "m-a"))
    assert not run(lean.has_message("other", "m-a_1"))


def test_two_stores_on_one_database_concurrently(db):
    a, b = LeanSQLTrackerStore(DOMAIN, **db), LeanSQLTrackerStore(DOMAIN, **db)
    shared = threading.Lock()  # the lock store's job: one turn per conversation at a time
    errors: list = []

    def worker(store, name: str) -> None:
        async def main():
            for i in range(15):
                own = f"{name}-{i % 3}"
                tracker = await store.retrieve(own) or new_tracker(own, session_start(1000.0))
                for e in turn(i, 1001.0 + i):
                    tracker.update(e)
                await store.save(tracker)
                with shared:
                    tracker = await store.retrieve("both") or new_tracker("both", session_start(1000.0))
                    for e in turn(i, 1001.0 + i):
                        tracker.update(e)
                    await store.save(tracker)

        try:
            asyncio.run(main())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(s, n)) for s, n in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    for name in ("a", "b"):
        for k in range(3):
            assert rows(a, f"{name}-{k}") == 3 + 6 * 5
    assert rows(a, "both") == 3 + 6 * 30
    both = run(b.retrieve("both"))
    texts = [e.text for e in both.events if isinstance(e, UserUttered)]
    assert sorted(texts) == sorted(f"message {i}" for i in list(range(15)) * 2)
    kinds = [type(e).__name__ for e in list(both.events)[2:]]  # each turn's six events stayed together
    assert kinds == ["UserUttered", "ActionExecuted", "SlotSet", "ActiveLoop", "BotUttered", "ActionExecuted"] * 30


def test_sqlite_is_wal_and_pooled(tmp_path):
    lean = LeanSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    connects = []
    sa.event.listen(lean.engine, "connect", lambda *_: connects.append(1))
    for i in range(10):
        tracker = run(lean.retrieve("s")) or new_tracker("s", session_start(1000.0))
        for e in turn(i, 1001.0 + i):
            tracker.update(e)
        run(lean.save(tracker))
    assert len(connects) <= 1  # Rasa's store: two new connections per turn (NullPool)
    with lean.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_endpoints_yml_loads_the_lean_store(tmp_path, monkeypatch):
    """Rasa silently falls back to an in-memory store when a custom type fails to import: check it does not."""
    from rasa.core.tracker_store import create_tracker_store
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "test-secret")  # endpoints.yml expands every ${VAR} it names
    store = create_tracker_store(read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store"), DOMAIN)
    assert isinstance(store, LeanSQLTrackerStore)
    assert store.engine.url.database == str(tmp_path / "tracker.db")
