"""Every table the project owns, on one MetaData; bringing a database up to it, and opening the lead store on it.

Each package defines its own tables; this module imports them all, so nothing else has to import a
module only for the side effect of registering its tables. The schema itself changes only through
Alembic revisions (bot/migrations/, docs/migrations.md): create_schema upgrades a database to the newest.
"""

from __future__ import annotations

import logging
import zlib
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Optional, Tuple

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from bot.infra import crypto
from bot.infra.db import SQLITE_BUSY_TIMEOUT_S, make_engine, metadata
from bot.leads import outbox, store, worklist  # noqa: F401  (their tables join metadata)
from bot.leads.keys import reencrypt
from bot.leads.store import ENCRYPTED_COLUMNS, LeadStore
from bot.staff import audit, auth  # noqa: F401  (their tables join metadata)

__all__ = [
    "alembic_config",
    "create_schema",
    "current_revisions",
    "head_revisions",
    "metadata",
    "migration_lock",
    "open_lead_store",
    "upgrade",
]

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The first revision: today's tables as metadata.create_all made them before migrations existed.
BASELINE = "8c1d2f6a0b3e"
VERSION_TABLE = "alembic_version"
# How long a starting process waits for another one's migration before giving up (a lock, not a visitor).
MIGRATION_LOCK_WAIT_S = 300
# PostgreSQL advisory lock: this key and the schema's name, so databases (or test schemas) do not wait on each other.
MIGRATION_LOCK_KEY = zlib.crc32(b"bot.schema migrations") & 0x7FFFFFFF


def alembic_config(connection: Optional[Connection] = None) -> Config:
    """Alembic's configuration for running from code: no alembic.ini, so Alembic sets up no logging."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def head_revisions() -> Tuple[str, ...]:
    """The newest revision(s) in bot/migrations/versions (read once per process)."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def current_revisions(conn: Connection) -> Tuple[str, ...]:
    """The revision(s) the database is at; () for an empty database or one made before migrations."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return ()
    return tuple(sorted(row[0] for row in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))))


@contextmanager
def migration_lock(conn: Connection) -> Iterator[None]:
    """One migrating process at a time, in one transaction on `conn` that commits when the block ends.

    The servers start together (action server and web app on one SQLite file; the cluster's processes on one
    PostgreSQL database) and each upgrades at start-up: the first takes the lock and migrates, the others wait
    for it, then find the database at head and do nothing.
    - PostgreSQL: a transaction-level advisory lock, released by the commit that makes the new schema
      visible. DDL is transactional there, so a failed migration leaves nothing behind.
    - SQLite: BEGIN IMMEDIATE, the database's own write lock, held until the commit; DDL is transactional
      too. Foreign keys are off meanwhile (SQLite's own recipe for changing tables): a batch migration
      copies a table and drops the old one, and with them on, the drop would cascade-delete every
      lead's events and outbox rows. They are checked before the commit instead.
    """
    dialect = conn.dialect.name
    if conn.in_transaction():
        conn.rollback()  # a clean start: the lock must be the transaction's first statement
    if dialect == "sqlite":
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction, so before BEGIN
        conn.exec_driver_sql(f"PRAGMA busy_timeout={MIGRATION_LOCK_WAIT_S * 1000}")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(
                        f"migration left {len(broken)} rows whose foreign key points nowhere: {broken[:5]}"
                    )
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()
        return
    try:
        if dialect == "postgresql":
            # The connection's short lock_timeout (bot/infra/db.py) is for visitors' writes, not for this wait.
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{MIGRATION_LOCK_WAIT_S}s'")
            conn.execute(
                text("SELECT pg_advisory_xact_lock(:key, hashtext(coalesce(current_schema(), '')))"),
                {"key": MIGRATION_LOCK_KEY},
            )
        yield
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def upgrade(conn: Connection, revision: str = "head") -> None:
    """Upgrade the database on `conn` to `revision` under the migration lock (a no-op when it is there)."""
    with migration_lock(conn):
        config = alembic_config(conn)
        tables = set(inspect(conn).get_table_names())
        if VERSION_TABLE not in tables and tables & set(metadata.tables):
            # Made by metadata.create_all before migrations existed: adopted at the baseline first, which
            # keeps every table and row and only adds what an older release lacked, then upgraded from there.
            log.info("database made before migrations: adopting it at the baseline revision %s", BASELINE)
            command.upgrade(config, BASELINE)
        command.upgrade(config, revision)


def create_schema(engine: Engine) -> None:
    """Bring the database to the newest schema revision, then encrypt rows from before encryption at rest.

    Safe to call from every process at start-up: at head it only reads the version; else see migration_lock.
    """
    with engine.connect() as conn:
        if current_revisions(conn) != head_revisions():
            upgrade(conn)
    _encrypt_legacy(engine)


def _encrypt_legacy(engine: Engine) -> None:
    """A store made before encryption at rest: text columns on PostgreSQL, then every row encrypted."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            types = dict(
                conn.execute(
                    text(
                        "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_schema = current_schema() AND table_name = 'leads'"
                    )
                ).all()
            )
            for name in ENCRYPTED_COLUMNS:
                if types.get(name) not in (None, "text"):
                    conn.execute(text(f'ALTER TABLE leads ALTER COLUMN "{name}" TYPE text USING "{name}"::text'))
        plain = " OR ".join(
            f'("{n}" IS NOT NULL AND "{n}" NOT LIKE \'{crypto.TOKEN_PREFIX}%\')' for n in ENCRYPTED_COLUMNS
        )
        legacy = conn.execute(text(f"SELECT count(*) FROM leads WHERE {plain}")).scalar_one()
    if legacy:
        reencrypt(engine)


def open_lead_store(database_url: str, notify_channels: Optional[Iterable[str]] = None) -> LeadStore:
    """Create the engine and schema and install the write hooks (called at start-up, never at import).

    `notify_channels`: the notifications a lead queues, in the lead's own transaction. They come from the
    clinic's policy (clinic_policy.yml `notifications.channels`; read here when not given, for scripts), never from the
    SMTP or webhook settings of the process that happens to write the lead: the action server writes leads,
    while the worker that delivers them may be the only process with those settings.
    """
    if notify_channels is None:
        from bot.screening.policy import load_policy
        from bot.settings import Settings

        notify_channels = load_policy(Settings.from_env().policy_path).notification_channels
    engine = make_engine(database_url)
    create_schema(engine)
    lead_store = LeadStore(engine)
    outbox.install(lead_store, notify_channels)
    return lead_store
