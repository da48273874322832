"""The notification outbox: rows written in the lead's own transaction, delivered by a worker.

Why an outbox: a lead is committed together with the rows that promise its notifications, so
no crash can save a lead and forget to notify. The worker claims a row (state `sending`, a lease,
an attempt row) and commits *before* it sends, then records the result. Guarantee, exactly:
- never lost: a row stays until a send succeeded; failures retry with exponential backoff forever;
- never sent twice by this side, except when the process dies after the receiver accepted the
  message and before the result was committed (or a send outlives its lease). Then the row is
  re-sent after the lease expires *with the same idempotency key* (email Message-ID and
  X-Idempotency-Key, webhook Idempotency-Key header), so a receiver that de-duplicates on the
  key sees it exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table, and_, or_, select
from sqlalchemy.engine import Connection, Engine

from bot.infra.clock import now
from bot.infra.db import metadata
from bot.leads.store import LeadStore
from bot.settings import WorkerConfig  # the settings' worker section (OUTBOX_*)

log = logging.getLogger(__name__)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(80), nullable=False, unique=True),  # idempotency key: lead:channel[:urgent]
    Column("lead_id", String(16), ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("escalation", Boolean, nullable=False, default=False),
    Column("urgent", Boolean, nullable=False, default=False),
    Column("state", String(16), nullable=False, index=True),  # pending / sending / sent
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, index=True),
    Column("lease_until", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("last_error", String(300)),
)

outbox_attempts = Table(
    "outbox_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("outbox_id", Integer, ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("worker", String(80), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("result", String(16), nullable=False),  # started (left so if the worker died) / sent / failed
    Column("error", String(300)),
)


def should_notify(lead: Mapping[str, Any]) -> bool:
    return (
        lead.get("outcome") in ("qualified", "needs_review")
        or bool(lead.get("urgent"))
        or bool(lead.get("human_requested"))
    )


def _insert_ignore(conn: Connection, values: Dict[str, Any]) -> None:
    """Insert unless the key exists (a concurrent writer must not roll back the lead's transaction)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        if conn.execute(select(outbox.c.id).where(outbox.c.key == values["key"])).first() is None:
            conn.execute(outbox.insert().values(**values))
        return
    conn.execute(insert(outbox).values(**values).on_conflict_do_nothing(index_elements=["key"]))


def enqueue(conn: Connection, lead: Mapping[str, Any], channel: str) -> None:
    """One notification per lead and channel, plus one urgent escalation if urgency came later."""
    key = f"{lead['id']}:{channel}"
    stamp = now()
    urgent = bool(lead.get("urgent"))
    row = dict(
        key=key,
        lead_id=lead["id"],
        channel=channel,
        escalation=False,
        urgent=urgent,
        state="pending",
        attempts=0,
        created_at=stamp,
        next_attempt_at=stamp,
    )
    existing = conn.execute(select(outbox).where(outbox.c.key == key)).mappings().first()
    if existing is None:
        _insert_ignore(conn, row)
        return
    if not urgent or existing["urgent"]:
        return
    # Urgent now, and the first notice was not: upgrade it if unsent, else send an escalation.
    upgraded = conn.execute(
        outbox.update()
        .where(outbox.c.id == existing["id"], outbox.c.state == "pending")
        .values(urgent=True, next_attempt_at=stamp)
    ).rowcount
    if not upgraded:
        _insert_ignore(conn, dict(row, key=f"{key}:urgent", escalation=True))


def install(store: LeadStore, channels: Iterable[str]) -> None:
    """Add the outbox hook to a lead store (from open_lead_store, at start-up)."""
    channels = list(channels)
    if not channels:
        return

    def outbox_hook(conn: Connection, lead: Dict[str, Any], created: bool) -> None:
        if should_notify(lead):
            for channel in channels:
                enqueue(conn, lead, channel)

    store.hooks.append(outbox_hook)


def _safe_error(exc: BaseException) -> str:
    """Error class and message only (these come from SMTP/HTTP, never from the lead)."""
    return f"{type(exc).__name__}: {exc}"[:300]


class Worker:
    """Delivers due outbox rows; several workers may run at once (claims are conditional updates)."""

    def __init__(
        self,
        engine: Engine,
        senders: Dict[str, Any],
        render: Callable[[Mapping[str, Any], bool], Any],
        config: WorkerConfig | None = None,
        name: str | None = None,
        purge: Optional[Callable[[], Any]] = None,
        purge_every: Optional[float] = None,
    ) -> None:
        self.engine, self.senders, self.render = engine, senders, render
        self.config = config or WorkerConfig()
        # retention (bot/leads/retention.py), every config.purge_seconds (hourly) by default
        self.purge, self.purge_every = purge, self.config.purge_seconds if purge_every is None else purge_every
        self._next_purge = 0.0
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"

    def _due(self, stamp: dt.datetime):
        return and_(
            outbox.c.channel.in_(list(self.senders)),
            or_(
                and_(outbox.c.state == "pending", outbox.c.next_attempt_at <= stamp),
                and_(outbox.c.state == "sending", outbox.c.lease_until < stamp),
            ),
        )

    def claim(self) -> Optional[Dict[str, Any]]:
        """Take the next due row: mark it sending with a lease and open an attempt, then commit."""
        stamp = now()
        with self.engine.begin() as conn:
            candidates = (
                conn.execute(
                    select(outbox.c.id)
                    .where(self._due(stamp))
                    .order_by(outbox.c.urgent.desc(), outbox.c.next_attempt_at)
                    .limit(5)
                )
                .scalars()
                .all()
            )
            for oid in candidates:
                row = conn.execute(select(outbox).where(outbox.c.id == oid)).mappings().first()
                taken = conn.execute(
                    outbox.update()
                    .where(outbox.c.id == oid, outbox.c.attempts == row["attempts"], self._due(stamp))
                    .values(
                        state="sending",
                        attempts=row["attempts"] + 1,
                        lease_until=stamp + dt.timedelta(seconds=self.config.lease_seconds),
                    )
                ).rowcount
                if taken:
                    number = row["attempts"] + 1
                    aid = conn.execute(
                        outbox_attempts.insert().values(
                            outbox_id=oid, number=number, worker=self.name[:80], started_at=stamp, result="started"
                        )
                    ).inserted_primary_key[0]
                    return dict(row, attempts=number, attempt_id=aid)
        return None

    def _finish(self, item: Dict[str, Any], error: Optional[BaseException]) -> None:
        stamp = now()
        mine = and_(outbox.c.id == item["id"], outbox.c.attempts == item["attempts"])
        with self.engine.begin() as conn:
            if error is None:
                conn.execute(
                    outbox.update().where(mine).values(state="sent", sent_at=stamp, lease_until=None, last_error=None)
                )
                conn.execute(
                    outbox_attempts.update()
                    .where(outbox_attempts.c.id == item["attempt_id"])
                    .values(finished_at=stamp, result="sent")
                )
            else:
                retry_at = stamp + dt.timedelta(seconds=self.config.backoff(item["attempts"]))
                conn.execute(
                    outbox.update()
                    .where(mine)
                    .values(state="pending", next_attempt_at=retry_at, lease_until=None, last_error=_safe_error(error))
                )
                conn.execute(
                    outbox_attempts.update()
                    .where(outbox_attempts.c.id == item["attempt_id"])
                    .values(finished_at=stamp, result="failed", error=_safe_error(error))
                )

    def _lead(self, lead_id: str) -> Optional[Dict[str, Any]]:
        return LeadStore(self.engine).get(lead_id)

    async def deliver(self, item: Dict[str, Any]) -> bool:
        lead = await asyncio.to_thread(self._lead, item["lead_id"])
        error: Optional[BaseException] = None
        try:
            if lead is None:
                raise LookupError("lead no longer exists")
            note = self.render(lead, bool(item["escalation"]))
            await self.senders[item["channel"]].send(item["key"], note)
        except Exception as exc:  # noqa: BLE001 - every failure is retried and recorded
            error = exc
            log.warning(
                "outbox: %s for lead %s failed on attempt %d: %s",
                item["channel"],
                item["lead_id"],
                item["attempts"],
                type(exc).__name__,
            )
        await asyncio.to_thread(self._finish, item, error)
        if error is None:
            log.info("outbox: %s for lead %s sent (attempt %d)", item["channel"], item["lead_id"], item["attempts"])
        return error is None

    async def run_once(self) -> int:
        """Deliver everything due now; returns how many rows were attempted."""
        count = 0
        while True:
            item = await asyncio.to_thread(self.claim)
            if item is None:
                return count
            await self.deliver(item)
            count += 1

    async def run_forever(self, stop: asyncio.Event) -> None:
        log.info("outbox worker %s started (channels: %s)", self.name, ", ".join(self.senders) or "none")
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception as exc:  # noqa: BLE001 - e.g. the database is briefly away; try again
                log.warning("outbox worker: %s", type(exc).__name__)
            await self._maybe_purge()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.config.poll_seconds)
            except asyncio.TimeoutError:
                pass

    async def _maybe_purge(self) -> None:
        loop = asyncio.get_running_loop()
        if self.purge is None or loop.time() < self._next_purge:
            return
        self._next_purge = loop.time() + self.purge_every
        try:
            await asyncio.to_thread(self.purge)  # logs its counts itself
        except Exception as exc:  # noqa: BLE001 - try again at the next interval
            log.warning("retention purge failed: %s", type(exc).__name__)


def status_for_lead(engine: Engine, lead_id: str) -> List[Dict[str, Any]]:
    """The notification rows of one lead, for the lead page."""
    with engine.connect() as conn:
        rows = conn.execute(select(outbox).where(outbox.c.lead_id == lead_id).order_by(outbox.c.id)).mappings().all()
    return [dict(r) for r in rows]
