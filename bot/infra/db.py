"""The database engine: SQLite or PostgreSQL with the same safe settings, and the one MetaData every table joins."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine

metadata = MetaData()
SQLITE_BUSY_TIMEOUT_S = 5.0


VAR = Path(__file__).resolve().parents[2] / "var"


def private_dir(folder: Path) -> None:
    """Make a folder owner-only (0700): health data lives in it. Only folders we make or own (var/)."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        folder.chmod(0o700)
    elif folder.resolve() == VAR.resolve():
        folder.chmod(0o700)


def private_file(path: Path) -> None:
    """Create a SQLite file owner-only (0600) before SQLite opens it; SQLite gives its -wal/-shm the same mode."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for extra in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if extra.exists():
            extra.chmod(0o600)


def enable_wal(cursor) -> None:
    """Switch a SQLite file to WAL once. WAL is stored in the file, so later connections only read the
    mode: setting it on every connect needs a lock and fails at once ("database is locked") while
    another connection is writing, busy timeout or not."""
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        cursor.execute("PRAGMA journal_mode=WAL")


def make_engine(url: str) -> Engine:
    """Create the engine for DATABASE_URL; SQLite gets its folder, WAL and a busy timeout."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        private_file(Path(url[len("sqlite:///") :]))
    if url.startswith("sqlite"):
        # A short busy timeout: a locked database fails the write in seconds (the visitor is asked to
        # send again) instead of holding a worker thread for 30 s. hide_parameters: a failed statement's
        # error message never carries the lead's answers or contact details into a log.
        engine = create_engine(
            url,
            future=True,
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            enable_wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA secure_delete=ON")  # erased and purged rows are zeroed, not left in free pages
            cur.close()

        return engine
    engine = create_engine(
        url,
        future=True,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"connect_timeout": 5},
    )

    @event.listens_for(engine, "connect")
    def _bounded_lock_waits(dbapi_conn, _record):  # pragma: no cover - trivial
        # Fail fast rather than stall a visitor: waiting on a row or table lock is bounded.
        cur = dbapi_conn.cursor()
        cur.execute(f"SET lock_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cur.close()
        dbapi_conn.commit()

    return engine


def flush_deleted(engine: Engine) -> None:
    """After an erase or purge on SQLite: checkpoint and empty the WAL, whose old frames still hold the rows."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
