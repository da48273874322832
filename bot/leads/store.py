"""The lead store: every screened conversation (or request for a person) becomes one row staff can act on.

A lead is written in one transaction together with whatever other modules hook onto the write
(e.g. the notification outbox), so a failed write leaves nothing behind.
"""

from __future__ import annotations

import secrets
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import Boolean, Column, DateTime, Index, String, Table, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.infra.clock import now
from bot.infra.crypto import EncryptedJSON, EncryptedText
from bot.infra.db import metadata

STATUSES = ("new", "contacted", "scheduled", "closed")

leads = Table(
    "leads",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("conversation_id", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("status", String(32), nullable=False, default="new"),
    Column("outcome", String(32)),  # qualified / needs_review / not_eligible / None (handoff before an outcome)
    # Health answers and contact details are encrypted at rest (bot/infra/crypto.py); code sees plain values.
    Column("reasons", EncryptedJSON, nullable=False, default=list),
    Column("answers", EncryptedJSON, nullable=False, default=dict),
    Column("medications", EncryptedJSON, nullable=False, default=list),
    Column("urgent", Boolean, nullable=False, default=False),
    Column("human_requested", Boolean, nullable=False, default=False),
    Column("full_name", EncryptedText),
    Column("email", EncryptedText),
    Column("phone", EncryptedText),
    Column("preferred_contact_time", EncryptedText),
    Column("contact_consent", Boolean),
    Column("contact_consent_at", DateTime(timezone=True)),
    Column("health_consent_at", DateTime(timezone=True)),
)
# One lead per conversation: a turn retried after its lead was written (a crash, a cancelled turn)
# updates that lead instead of making a second one (and a second staff notification).
LEAD_PER_CONVERSATION = Index("uq_leads_conversation_id", leads.c.conversation_id, unique=True)

WriteHook = Callable[[Connection, Dict[str, Any], bool], None]
LEAD_FIELDS = [c.name for c in leads.columns]
ENCRYPTED_COLUMNS = [c.name for c in leads.columns if isinstance(c.type, (EncryptedJSON, EncryptedText))]


def new_lead_id() -> str:
    """Short, unambiguous, easy to read over the phone: 'L-7KQ2M9XD'."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "L-" + "".join(secrets.choice(alphabet) for _ in range(8))


class LeadStore:
    """Reads and writes leads; `hooks` run inside the same transaction as every write."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.hooks: List[WriteHook] = []

    def save(self, lead: Dict[str, Any]) -> str:
        """Insert or update a lead atomically; returns its id.

        The lead is found by `id` when given, else by its conversation: a conversation has at most
        one lead however often its last turn is retried.
        """
        try:
            return self._save(lead)
        except IntegrityError:
            # A concurrent first write for the same conversation won the unique key: update that one.
            return self._save(lead)

    def _save(self, lead: Dict[str, Any]) -> str:
        values = {k: v for k, v in lead.items() if k in LEAD_FIELDS}
        stamp = now()
        with self.engine.begin() as conn:
            existing = None
            if values.get("id"):
                existing = conn.execute(select(leads).where(leads.c.id == values["id"])).mappings().first()
            elif values.get("conversation_id"):
                existing = (
                    conn.execute(select(leads).where(leads.c.conversation_id == values["conversation_id"]))
                    .mappings()
                    .first()
                )
                if existing:
                    values["id"] = existing["id"]
            if existing:
                values["updated_at"] = stamp
                values.pop("created_at", None)
                values.pop("status", None)  # staff own the status once a lead exists
                values["urgent"] = bool(existing["urgent"] or values.get("urgent"))
                values["human_requested"] = bool(existing["human_requested"] or values.get("human_requested"))
                conn.execute(leads.update().where(leads.c.id == values["id"]).values(**values))
                created = False
            else:
                values["id"] = values.get("id") or new_lead_id()
                values.update(created_at=stamp, updated_at=stamp)
                values.setdefault("status", "new")
                for key, default in (
                    ("reasons", []),
                    ("answers", {}),
                    ("medications", []),
                    ("urgent", False),
                    ("human_requested", False),
                ):
                    if values.get(key) is None:
                        values[key] = default
                conn.execute(leads.insert().values(**values))
                created = True
            row = dict(conn.execute(select(leads).where(leads.c.id == values["id"])).mappings().one())
            for hook in self.hooks:
                hook(conn, row, created)
        return row["id"]

    def get(self, lead_id: str) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as conn:
            row = conn.execute(select(leads).where(leads.c.id == lead_id)).mappings().first()
        return dict(row) if row else None

    def for_conversation(self, conversation_id: str) -> List[Dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(leads).where(leads.c.conversation_id == conversation_id).order_by(leads.c.created_at)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]
