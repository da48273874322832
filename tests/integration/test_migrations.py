"""Schema migrations (bot/migrations, docs/migrations.md) on SQLite and PostgreSQL.

The revisions must build exactly the tables the code defines, step down and up again, adopt a database
made before migrations without losing rows, and survive every server upgrading at the same start-up.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, Text, inspect, select

from bot.infra.db import make_engine
from bot.leads.store import LeadStore, leads
from bot.schema import (
    BASELINE,
    alembic_config,
    create_schema,
    current_revisions,
    head_revisions,
    metadata,
    migration_lock,
    upgrade,
)
from tests.support.services import PY, ROOT, db_url, lead  # noqa: F401  (db_url is a fixture: SQLite and PostgreSQL)


@pytest.fixture
def engine(db_url):  # noqa: F811
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def schema_diff(engine) -> list:
    """What autogenerate would write to bring this database to the code's tables: [] when they match."""
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), metadata)


def revisions(engine) -> tuple:
    with engine.connect() as conn:
        return current_revisions(conn)


def run(engine, action, revision: str) -> None:
    """An Alembic command (command.upgrade, command.downgrade, command.check) on the engine, under the lock."""
    with engine.connect() as conn, migration_lock(conn):
        if revision:
            action(alembic_config(conn), revision)
        else:
            action(alembic_config(conn))


def test_an_empty_database_upgrades_to_exactly_the_tables_the_code_defines(engine):
    create_schema(engine)
    assert revisions(engine) == head_revisions()
    assert schema_diff(engine) == []
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    create_schema(engine)  # the next start: nothing to do
    assert revisions(engine) == head_revisions() and schema_diff(engine) == []


def test_one_step_down_and_up_again(engine):
    create_schema(engine)
    run(engine, command.downgrade, "-1")
    assert revisions(engine) != head_revisions()
    run(engine, command.upgrade, "head")
    assert revisions(engine) == head_revisions()
    assert schema_diff(engine) == []


def test_down_to_nothing_leaves_only_the_version_table(engine):
    create_schema(engine)
    run(engine, command.downgrade, "base")
    assert revisions(engine) == ()
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}


def test_a_database_made_before_migrations_is_adopted_and_keeps_its_rows(engine):
    metadata.create_all(engine)  # as the old create_schema did: no alembic_version
    lead_id = LeadStore(engine).save(lead(outcome="qualified"))
    create_schema(engine)
    assert revisions(engine) == head_revisions()
    assert schema_diff(engine) == []
    with engine.connect() as conn:
        [kept] = [dict(r) for r in conn.execute(select(leads)).mappings()]  # the one lead, decrypted
    assert kept["id"] == lead_id and kept["full_name"] == lead()["full_name"] and kept["answers"] == lead()["answers"]


def test_an_older_database_missing_a_later_table_and_index_gets_them_when_adopted(engine):
    older = [t for name, t in metadata.tables.items() if name not in ("audit_log", "outbox_attempts")]
    metadata.create_all(engine, tables=older)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_leads_created_at")
    with engine.connect() as conn:
        upgrade(conn)  # what create_schema does, without the encryption step
    assert revisions(engine) == head_revisions()
    assert schema_diff(engine) == []


def test_a_sqlite_batch_migration_of_leads_keeps_each_leads_history(tmp_path):
    """SQLite changes a table by copying it and dropping the old one: with foreign keys on, that drop would
    cascade-delete every lead's events. migration_lock turns them off for the migration and checks them after."""
    from alembic.operations import Operations

    from bot.leads import worklist

    eng = make_engine(f"sqlite:///{tmp_path / 'batch.db'}")
    try:
        create_schema(eng)
        lead_id = LeadStore(eng).save(lead())
        worklist.change(eng, lead_id, "staff", status="contacted")
        with eng.connect() as conn, migration_lock(conn):
            with Operations(MigrationContext.configure(conn)).batch_alter_table("leads", recreate="always") as batch:
                batch.add_column(Column("reminder", Text))
        assert "reminder" in {c["name"] for c in inspect(eng).get_columns("leads")}
        assert [e["to_status"] for e in worklist.history(eng, lead_id)] == ["contacted"]
        with eng.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on for the app
    finally:
        eng.dispose()


def test_autogenerate_ignores_rasas_tracker_tables_in_the_same_database(engine):
    """The cluster keeps Rasa's `events` table beside ours: `alembic check` (env.py's own filter) sees no change."""
    from rasa.core.tracker_store import SQLTrackerStore

    create_schema(engine)
    rasa = MetaData()
    Table(SQLTrackerStore.SQLEvent.__tablename__, rasa, Column("id", Integer, primary_key=True), Column("data", Text))
    rasa.create_all(engine)
    run(engine, command.check, "")  # raises AutogenerateDiffsDetected on any difference


def test_the_baseline_is_the_first_revision():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_base() == BASELINE
    assert len(head_revisions()) == 1, "two heads: merge them (alembic merge heads)"


@pytest.mark.parametrize("processes", [4])
def test_every_server_starting_at_once_on_a_fresh_database_succeeds(db_url, processes):  # noqa: F811
    """The action server, web app and workers all call create_schema at start-up on one fresh database."""
    barrier = threading.Barrier(processes)
    errors: list = []

    def start() -> None:
        eng = make_engine(db_url)  # an engine each, as separate processes have
        try:
            barrier.wait(timeout=30)
            create_schema(eng)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            eng.dispose()

    threads = [threading.Thread(target=start) for _ in range(processes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    eng = make_engine(db_url)
    try:
        assert revisions(eng) == head_revisions() and schema_diff(eng) == []
    finally:
        eng.dispose()


def test_the_alembic_command_upgrades_from_the_project_root(tmp_path):
    """`.venv/bin/alembic upgrade head` as a developer runs it: DATABASE_URL from the environment, quiet on stdout."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = dict(os.environ, DATABASE_URL=url)
    alembic = [PY, "-m", "alembic"]
    done = subprocess.run(alembic + ["upgrade", "head"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Running upgrade  -> " + BASELINE in done.stderr and done.stdout == ""
    current = subprocess.run(alembic + ["current"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert f"{head_revisions()[0]} (head)" in current.stdout
    cli = subprocess.run(
        [PY, "-m", "bot", "db", "current"],
        cwd=ROOT,
        env=dict(env, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0 and f"{head_revisions()[0]} (head)" in cli.stdout, cli.stderr


def test_starting_a_server_leaves_logging_alone(tmp_path, capfd, caplog):
    """create_schema from code: Alembic configures no logging and prints nothing; at head it logs nothing at all."""
    root_handlers, alembic_level = list(logging.getLogger().handlers), logging.getLogger("alembic").level
    caplog.set_level(logging.INFO)
    eng = make_engine(f"sqlite:///{tmp_path / 'quiet.db'}")
    try:
        create_schema(eng)  # the first start migrates: its INFO lines go to the server's own log
        caplog.clear()
        create_schema(eng)  # every later start
    finally:
        eng.dispose()
    assert [r for r in caplog.records if r.name.startswith("alembic")] == []
    assert capfd.readouterr().out == ""
    assert logging.getLogger().handlers == root_handlers and logging.getLogger("alembic").level == alembic_level
