"""Database engine and schema home. One MetaData for every table so one create_all sets up a fresh store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine

metadata = MetaData()
SQLITE_BUSY_TIMEOUT_S = 5.0


def make_engine(url: str) -> Engine:
    """Create the engine for DATABASE_URL; SQLite gets its folder, WAL and a busy timeout."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        # A short busy timeout: a locked database fails the write in seconds (the visitor is asked to
        # send again) instead of holding a worker thread for 30 s. hide_parameters: a failed statement's
        # error message never carries the lead's answers or contact details into a log.
        engine = create_engine(
            url, future=True, hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    engine = create_engine(
        url, future=True, pool_pre_ping=True, hide_parameters=True, connect_args={"connect_timeout": 5},
    )

    @event.listens_for(engine, "connect")
    def _bounded_lock_waits(dbapi_conn, _record):  # pragma: no cover - trivial
        # Fail fast rather than stall a visitor: waiting on a row or table lock is bounded.
        cur = dbapi_conn.cursor()
        cur.execute(f"SET lock_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cur.close()
        dbapi_conn.commit()

    return engine


def create_schema(engine: Engine) -> None:
    """Create every table the project defines (idempotent)."""
    import bot.leads  # noqa: F401  (registers its tables on metadata)

    metadata.create_all(engine)
    # Tables made before an index existed get it here (create_all skips existing tables).
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)
