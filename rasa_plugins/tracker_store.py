"""`LeanSQLTrackerStore`: Rasa's SQLTrackerStore, same table and parameters, with less work per turn.

endpoints.yml:

    tracker_store:
      type: rasa_plugins.tracker_store.LeanSQLTrackerStore
      dialect: "sqlite"          # or "postgresql" (then host/port/username/password, or url)
      db: ${TRACKER_DB}

What it changes, and why (Rasa 3.6.21 with SQLAlchemy 1.4):
- One engine with a connection pool for the process. SQLAlchemy 1.4 gives a SQLite file a NullPool,
  so Rasa opened (and closed) a new connection for every retrieve and every save.
- SQLite in WAL mode with synchronous=NORMAL: a commit no longer waits for an fsync of the
  rollback journal and the database; readers never block the writer. A power cut can lose the last
  commits, never corrupt the file.
- No `COUNT(*)` before each save. Rasa counts the stored events of the latest session to know which
  tracker events are new; this store remembers, on the tracker object it returned, how many events
  it loaded (and, after a save, how many are stored). A tracker it did not load falls back to
  Rasa's count query.
- New events go in one executemany INSERT, through SQLAlchemy Core (no ORM objects).
- `delete(sender_id)` erases a conversation (privacy); `conversation_ids_older_than(cutoff)` lists
  conversations for retention.

Same schema (Rasa's `events` table, created by Rasa's own metadata), so existing databases work.
Importing this module installs `rasa_plugins.speedups` (see there why here).
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import logging
from typing import Any, Dict, List, Optional, Text, Union

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.infra.db import enable_wal
from rasa_plugins import speedups

speedups.install()  # Rasa imports this module once, at start-up: the one hook we have (see speedups)

logger = logging.getLogger(__name__)

# Attribute on a tracker this store returned or saved: how many of its events are in the database.
STORED_ATTR = "_lean_stored_events"


def _sqlite_file(url: sa.engine.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=10000")  # first: a second connection writing waits instead of failing
    enable_wal(cur)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA secure_delete=ON")  # an erased conversation's text is zeroed, not left in free pages
    cur.close()


class LeanSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with a pooled engine, WAL, no count per save and batched inserts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Rasa's constructor resolves the URL (dialect/host/url/port/db/login_db/query), waits for the
        # database and creates the table; its engine is then replaced by a pooled one.
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, **self._engine_kwargs(url))
        if _sqlite_file(url):
            sa.event.listen(self.engine, "connect", _on_sqlite_connect)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        with self.session_scope():  # Rasa's PostgreSQL schema check, once instead of per session
            pass
        self._table = self.SQLEvent.__table__

    @staticmethod
    def _engine_kwargs(url: sa.engine.URL) -> Dict[Text, Any]:
        kwargs = create_engine_kwargs(url)  # PostgreSQL: Rasa's pool size, overflow and schema
        if _sqlite_file(url):
            kwargs.update(
                poolclass=sa.pool.QueuePool, pool_size=5, max_overflow=5, connect_args={"check_same_thread": False}
            )
        return kwargs

    # ---- reading ---------------------------------------------------------------------------------
    def _events_select(self, sender_id: Text, all_sessions: bool) -> sa.sql.Select:
        """Rasa's `_event_query` in Core: the latest session's events (or all), in id order."""
        t = self._table
        query = sa.select(t.c.data).where(t.c.sender_id == sender_id)
        if not all_sessions:
            session_start = (
                sa.select(sa.func.max(t.c.timestamp))
                .where(t.c.sender_id == sender_id, t.c.type_name == SessionStarted.type_name)
                .scalar_subquery()
            )
            query = query.where(sa.or_(t.c.timestamp >= session_start, session_start.is_(None)))
        return query.order_by(t.c.id)

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.engine.connect() as conn:
            rows = conn.execute(self._events_select(sender_id, fetch_events_from_all_sessions)).all()
        events = [json.loads(data) for (data,) in rows]
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:  # save() counts the latest session only, like Rasa
            setattr(tracker, STORED_ATTR, len(events))
        return tracker

    async def has_message(self, sender_id: Text, message_id: Text) -> bool:
        """Is a user message with this id stored? One indexed query, no tracker rebuilt.

        The reliable channel asks on every turn that carries a message id; only a hit (a resent
        message) pays for retrieving the tracker. A LIKE hit is confirmed on the events afterwards.
        """
        t = self._table
        escaped = message_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = (
            sa.select(t.c.id)
            .where(t.c.sender_id == sender_id, t.c.type_name == "user")
            .where(t.c.data.like(f'%"message_id": "{escaped}"%', escape="\\"))
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    # ---- writing ---------------------------------------------------------------------------------
    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the tracker's events that are not stored yet, in one batch."""
        await self.stream_events(tracker)
        stored = getattr(tracker, STORED_ATTR, None)
        with self.engine.begin() as conn:
            if stored is None:  # a tracker this store did not load: Rasa's count
                latest = self._events_select(tracker.sender_id, all_sessions=False).subquery()
                stored = conn.execute(sa.select(sa.func.count()).select_from(latest)).scalar_one()
            rows = [self._row(tracker.sender_id, e) for e in itertools.islice(tracker.events, stored, None)]
            if rows:
                conn.execute(self._table.insert(), rows)
        setattr(tracker, STORED_ATTR, len(tracker.events))
        logger.debug(f"Tracker with sender_id '{tracker.sender_id}' stored to database")

    @staticmethod
    def _row(sender_id: Text, event: Any) -> Dict[Text, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    # ---- privacy and retention -------------------------------------------------------------------
    async def delete(self, sender_id: Text) -> int:
        """Erase every stored event of one conversation; returns how many rows went."""
        with self.engine.begin() as conn:
            result = conn.execute(self._table.delete().where(self._table.c.sender_id == sender_id))
        if self.engine.dialect.name == "sqlite":  # and no copy of the erased pages is left in the WAL
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return result.rowcount

    def conversation_ids_older_than(self, cutoff: Union[float, _dt.datetime]) -> List[Text]:
        """Conversations whose newest event is older than `cutoff` (a datetime or a Unix time)."""
        if isinstance(cutoff, _dt.datetime):
            cutoff = (cutoff if cutoff.tzinfo else cutoff.replace(tzinfo=_dt.timezone.utc)).timestamp()
        t = self._table
        query = sa.select(t.c.sender_id).group_by(t.c.sender_id).having(sa.func.max(t.c.timestamp) < cutoff)
        with self.engine.connect() as conn:
            return [sender_id for (sender_id,) in conn.execute(query.order_by(t.c.sender_id))]
