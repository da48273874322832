"""Issue 11: health data encrypted at rest, key rotation, owner-only files, forget-me rows, retention purge."""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, text

from bot.infra import crypto
from bot.infra.clock import now
from bot.leads import erase, keys, outbox, retention, worklist
from bot.leads.store import ENCRYPTED_COLUMNS, leads
from bot.screening.policy import PolicyError, Retention, parse_retention
from bot.staff import audit
from tests.support.services import db_url, lead, store_for  # noqa: F401  (db_url is a fixture)

MARKERS = [
    "Zephyrine Quillfeather",
    "zq-marker@example.org",
    "555-0199-77",
    "xylophonic-ache",
    "mornings-quokka",
    "brivaracetam-marker",
]


def all_leads(store):
    """Every lead row, decrypted as the store reads it."""
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(leads)).mappings()]


def planted(**extra):
    return lead(
        full_name=MARKERS[0],
        email=MARKERS[1],
        phone=MARKERS[2],
        preferred_contact_time=MARKERS[4],
        answers={"condition_detail": MARKERS[3], "age": 40},
        medications=[{"name": MARKERS[5], "drug_class": None, "outcome": "review"}],
        reasons=[f"a note about {MARKERS[3]}"],
        **extra,
    )


def raw_bytes(url: str) -> bytes:
    """Every byte of a SQLite database: the file, its WAL and shared memory."""
    path = Path(url[len("sqlite:///") :])
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def raw_columns(engine) -> str:
    """The stored text of every encrypted column, as the database holds it (no TypeDecorator)."""
    cols = ", ".join(f'CAST("{c}" AS TEXT)' for c in ENCRYPTED_COLUMNS)
    with engine.connect() as conn:
        return "\n".join(str(v) for row in conn.execute(text(f"SELECT {cols} FROM leads")).all() for v in row)


def no_markers(url: str, engine) -> None:
    blob = raw_columns(engine)
    for marker in MARKERS:
        assert marker not in blob
    if url.startswith("sqlite"):
        data = raw_bytes(url)
        for marker in MARKERS:
            assert marker.encode() not in data, marker


def test_lead_columns_are_encrypted_at_rest_and_read_back_plain(db_url):  # noqa: F811
    store = store_for(db_url)
    lead_id = store.save(planted())
    got = store.get(lead_id)
    assert got["full_name"] == MARKERS[0] and got["answers"]["condition_detail"] == MARKERS[3]
    assert got["medications"][0]["name"] == MARKERS[5]
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT full_name, email, phone, CAST(answers AS TEXT) FROM leads")).one()
    assert all(str(v).startswith(crypto.TOKEN_PREFIX) for v in row)
    no_markers(db_url, store.engine)
    store.engine.dispose()


def test_key_rotation_keeps_every_lead_readable(db_url, tmp_path, monkeypatch):  # noqa: F811
    first = Fernet.generate_key().decode()
    monkeypatch.setenv(crypto.ENV_KEY, first)
    env_file = tmp_path / ".env"
    env_file.write_text(f"{crypto.ENV_KEY}={first}\n")
    store = store_for(db_url)
    ids = [store.save(planted(conversation_id=f"c-{i}")) for i in range(5)]
    assert keys.rotate(store.engine, env_file=env_file) == 5
    key_list = os.environ[crypto.ENV_KEY].split(",")
    assert (
        len(key_list) == 2
        and key_list[1] == first
        and f"{crypto.ENV_KEY}={key_list[0]},{first}" in env_file.read_text()
    )
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert [store.get(i)["full_name"] for i in ids] == [MARKERS[0]] * 5
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT full_name FROM leads")).scalars().all()
    assert all(Fernet(key_list[0].encode()).decrypt(v.encode()).decode() == MARKERS[0] for v in raw)
    with pytest.raises(InvalidToken):
        Fernet(first.encode()).decrypt(raw[0].encode())  # nothing is left under the old key
    crypto.drop_old_keys(env_file)
    assert os.environ[crypto.ENV_KEY] == key_list[0] and store.get(ids[0])["email"] == MARKERS[1]
    no_markers(db_url, store.engine)
    store.engine.dispose()


def test_rows_written_before_encryption_are_encrypted_at_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = store_for(url)
    lead_id = store.save(planted())
    with store.engine.begin() as conn:  # as a pre-encryption release stored it
        conn.execute(text("UPDATE leads SET full_name = :n, answers = :a"), {"n": MARKERS[0], "a": '{"age": 40}'})
    store.engine.dispose()
    store = store_for(url)
    assert store.get(lead_id)["full_name"] == MARKERS[0] and store.get(lead_id)["answers"] == {"age": 40}
    assert raw_columns(store.engine).count(crypto.TOKEN_PREFIX) == len(ENCRYPTED_COLUMNS)
    store.engine.dispose()


def test_sqlite_files_are_owner_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh' / 'leads.db'}"
    store = store_for(url)
    store.save(planted())
    folder = tmp_path / "fresh"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    store.engine.dispose()


def test_search_by_name_email_phone_over_1000_encrypted_leads(tmp_path):
    store = store_for(f"sqlite:///{tmp_path / 'many.db'}")
    for i in range(1000):
        store.save(
            lead(conversation_id=f"c-{i}", full_name=f"Person {i:04d}", email=f"p{i}@example.org", phone=f"555-{i:04d}")
        )
    started = time.perf_counter()
    by_name = worklist.list_leads(store.engine, worklist.Filters(q="person 0042"))
    took = time.perf_counter() - started
    print(f"\nsearch over 1000 encrypted leads: {took * 1000:.0f} ms")
    assert [r["full_name"] for r in by_name] == ["Person 0042"]
    assert [r["full_name"] for r in worklist.list_leads(store.engine, worklist.Filters(q="P977@EXAMPLE"))] == [
        "Person 0977"
    ]
    assert [r["full_name"] for r in worklist.list_leads(store.engine, worklist.Filters(q="(555) 0013"))] == [
        "Person 0013"
    ]
    assert len(worklist.list_leads(store.engine, worklist.Filters(q="person"), limit=10, offset=995)) == 5
    assert took < 3.0
    store.engine.dispose()


def test_erase_rows_removes_lead_history_outbox_attempts_and_audits_without_health_data(db_url, monkeypatch):  # noqa: F811
    store = store_for(db_url)
    outbox.install(store, ["email"])
    keep = store.save(lead(outcome="qualified"))
    gone = store.save(planted(outcome="qualified"))
    worklist.change(store.engine, gone, "alice", note=f"called {MARKERS[0]}")
    worker = outbox.Worker(store.engine, {"email": object()}, lambda lead, esc: None)
    assert worker.claim() is not None and worker.claim() is not None  # an attempt row for each lead
    done = erase.erase_rows(store.engine, "alice", lead_id=gone, ip="127.0.0.1")
    assert done.lead_ids == [gone] and done.outbox_rows == 1
    assert store.get(gone) is None and store.get(keep) is not None
    with store.engine.connect() as conn:
        assert conn.execute(select(outbox.outbox.c.lead_id)).scalars().all() == [keep]
        assert len(conn.execute(select(outbox.outbox_attempts)).all()) == 1
        assert conn.execute(select(worklist.lead_events)).all() == []
    entry = audit.recent(store.engine)[0]
    assert (entry["actor"], entry["action"], entry["lead_id"]) == ("alice", "erase", gone)
    assert all(m not in str(entry) for m in MARKERS)
    assert erase.erase_rows(store.engine, "alice", lead_id=gone) is None  # unknown now
    if db_url.startswith("sqlite"):
        data = raw_bytes(db_url)
        assert b"called Zephyrine" not in data  # the staff note is plain text: zeroed by secure_delete
    store.engine.dispose()


def test_retention_purges_exactly_what_the_policy_says(db_url):  # noqa: F811
    store = store_for(db_url)
    outbox.install(store, ["email"])
    policy = Retention(
        unconverted_leads_days=180, finished_conversations_days=90, outbox_attempts_days=30, audit_days=365
    )
    ids = {
        name: store.save(lead(conversation_id=name, outcome="qualified"))
        for name in ("old_new", "old_scheduled", "old_treated", "old_not_a_fit", "young")
    }
    worklist.change(store.engine, ids["old_scheduled"], "alice", status="scheduled")
    worklist.change(store.engine, ids["old_treated"], "alice", status="closed", close_reason="treated")
    worklist.change(store.engine, ids["old_not_a_fit"], "alice", status="closed", close_reason="not_a_fit")
    worker = outbox.Worker(store.engine, {"email": object()}, lambda lead, esc: None)
    claimed = [worker.claim() for _ in range(3)]
    for item in claimed[:2]:
        worker._finish(item, None)  # two notices sent now (t0); the third stays mid-send
    audit.record(store.engine, "alice", "login")
    t0 = now()
    clock = t0 + dt.timedelta(days=200)  # the clock moves on 200 days
    with store.engine.begin() as conn:
        conn.execute(leads.update().where(leads.c.id == ids["young"]).values(updated_at=clock - dt.timedelta(days=10)))
        conn.execute(audit.audit_log.insert().values(at=clock - dt.timedelta(days=1), actor="bob", action="login"))
        conn.execute(
            outbox.outbox_attempts.insert().values(
                outbox_id=claimed[2]["id"],
                number=9,
                worker="w",
                started_at=clock - dt.timedelta(days=1),
                result="failed",
            )
        )
        before = conn.execute(select(outbox.outbox.c.id, outbox.outbox.c.lead_id, outbox.outbox.c.state)).all()
    kept = {ids[n] for n in ("old_scheduled", "old_treated", "young")}
    expected_boxes = sorted((r.id, r.state) for r in before if r.lead_id in kept and r.state != "sent")
    sent_kept = sum(1 for r in before if r.lead_id in kept and r.state == "sent")

    result = retention.purge_rows(store.engine, policy, at=clock)
    assert sorted(result["erase_conversations"]) == ["old_new", "old_not_a_fit"]
    assert result["leads"] == 2 and result["audit_rows"] == 0 and result["notifications"] == sent_kept
    assert (
        {r["conversation_id"] for r in all_leads(store)}
        == {"old_scheduled", "old_treated", "young"}
        == set(result["keep_conversations"])
    )
    with store.engine.connect() as conn:
        assert (
            sorted(tuple(r) for r in conn.execute(select(outbox.outbox.c.id, outbox.outbox.c.state)).all())
            == expected_boxes
        )
        assert conn.execute(select(outbox.outbox_attempts.c.number)).scalars().all() == [9]  # only the recent attempt
    assert retention.purge_rows(store.engine, policy, at=clock)["leads"] == 0  # idempotent
    # Audit: a year later the old rows go, the recent one and the purge's own rows stay.
    later = retention.purge_rows(store.engine, policy, at=t0 + dt.timedelta(days=366))
    actors = [e["actor"] for e in audit.recent(store.engine)]
    assert later["audit_rows"] >= 1 and "alice" not in actors and "bob" in actors and "retention" in actors
    store.engine.dispose()


@pytest.mark.parametrize(
    "raw,message",
    [
        ({"audit_days": 0}, "retention.audit_days"),
        ({"outbox_attempts_days": "30"}, "retention.outbox_attempts_days"),
        ({"forever": 3}, "unknown key 'retention.forever'"),
        ([1], "'retention' must be a mapping"),
    ],
)
def test_retention_policy_is_validated(raw, message):
    with pytest.raises(PolicyError, match=message.replace("(", r"\(")):
        parse_retention(raw)
    assert parse_retention(None) == Retention() and parse_retention({"audit_days": 10}).audit_days == 10
