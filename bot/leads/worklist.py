"""Working the leads: the filtered list staff see, and status changes with who, when and a note.

Shared by the dashboard and the API so both filter and record changes the same way. The lead
store leaves `status` to staff once a lead exists, so status changes are written here, in one
transaction with their history row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text, case, func, select
from sqlalchemy.engine import Engine

from bot.infra.clock import now
from bot.infra.db import metadata
from bot.leads.store import STATUSES, leads

CLOSE_REASONS = {"not_a_fit": "not a fit", "no_answer": "no answer", "treated": "treated"}
MAX_NOTE = 4000

lead_events = Table(
    "lead_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", String(16), ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("from_status", String(32)),
    Column("to_status", String(32)),
    Column("close_reason", String(32)),
    Column("note", Text),
)


class ChangeError(ValueError):
    """A status change that cannot be made; the message is shown to the person or API client."""


@dataclass
class Filters:
    status: Optional[str] = None
    since: Optional[dt.datetime] = None
    until: Optional[dt.datetime] = None
    q: str = ""
    sort: str = "newest"  # newest / priority (urgent, then asked for a person, then newest)


def parse_when(value: Optional[str], end_of_day: bool = False) -> Optional[dt.datetime]:
    """ISO date or datetime -> aware UTC datetime; raises ValueError on nonsense."""
    if not value:
        return None
    value = value.strip()
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        stamp = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min)
    else:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return stamp.replace(tzinfo=dt.timezone.utc) if stamp.tzinfo is None else stamp.astimezone(dt.timezone.utc)


def _where(query, f: Filters):
    if f.status:
        query = query.where(leads.c.status == f.status)
    if f.since:
        query = query.where(leads.c.created_at >= f.since)
    if f.until:
        query = query.where(leads.c.created_at <= f.until)
    return query


def matches(lead: Dict[str, Any], q: str) -> bool:
    """Search by name, email or phone (case-insensitive; a phone also by its digits).

    Done in Python because these columns are encrypted at rest (bot/infra/crypto.py): the database
    cannot compare them. 1000 leads take well under a second (tests/integration/test_privacy.py measures it).
    """
    needle = q.strip().casefold()
    if any(needle in (lead.get(key) or "").casefold() for key in ("full_name", "email", "phone")):
        return True
    digits = "".join(ch for ch in needle if ch.isdigit())
    phone = "".join(ch for ch in (lead.get("phone") or "") if ch.isdigit())
    return len(digits) >= 3 and set(needle) <= set("0123456789 -+().") and digits in phone


def list_leads(engine: Engine, f: Filters, limit: int = 500, offset: int = 0) -> List[Dict[str, Any]]:
    query = _where(select(leads), f)
    if f.sort == "priority":
        query = query.order_by(
            case((leads.c.urgent.is_(True), 0), else_=1), case((leads.c.human_requested.is_(True), 0), else_=1)
        )
    query = query.order_by(leads.c.created_at.desc(), leads.c.id)
    if not f.q:
        query = query.limit(limit).offset(offset)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings().all()]
    if f.q:
        rows = [r for r in rows if matches(r, f.q)][offset : offset + limit]
    return rows


def status_counts(engine: Engine) -> Dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(leads.c.status, func.count()).group_by(leads.c.status)).all()
    counts = {s: 0 for s in STATUSES}
    counts.update({status: n for status, n in rows})
    return counts


def change(
    engine: Engine,
    lead_id: str,
    actor: str,
    status: Optional[str] = None,
    note: Optional[str] = None,
    close_reason: Optional[str] = None,
) -> Dict[str, Any]:
    """Set a new status and/or add a note; returns the history row. Raises LookupError, ChangeError."""
    if status is not None and status not in STATUSES:
        raise ChangeError(f"status must be one of {', '.join(STATUSES)}")
    if close_reason is not None and close_reason not in CLOSE_REASONS:
        raise ChangeError(f"close_reason must be one of {', '.join(CLOSE_REASONS)}")
    if status == "closed" and not close_reason:
        raise ChangeError("closing a lead needs a close_reason: " + ", ".join(CLOSE_REASONS))
    if close_reason and status != "closed":
        raise ChangeError("close_reason is only for status closed")
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise ChangeError(f"note is longer than {MAX_NOTE} characters")
    if status is None and note is None:
        raise ChangeError("nothing to change: give a status, a note, or both")
    stamp = now()
    with engine.begin() as conn:
        current = conn.execute(select(leads.c.status).where(leads.c.id == lead_id)).scalar_one_or_none()
        if current is None:
            raise LookupError(lead_id)
        if status is not None:
            conn.execute(leads.update().where(leads.c.id == lead_id).values(status=status, updated_at=stamp))
        event = dict(
            lead_id=lead_id,
            at=stamp,
            actor=actor[:120],
            from_status=current if status else None,
            to_status=status,
            close_reason=close_reason,
            note=note,
        )
        conn.execute(lead_events.insert().values(**event))
    return event


def history(engine: Engine, lead_id: str) -> List[Dict[str, Any]]:
    with engine.connect() as conn:
        rows = (
            conn.execute(select(lead_events).where(lead_events.c.lead_id == lead_id).order_by(lead_events.c.id))
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


def close_reason(events: List[Dict[str, Any]]) -> Optional[str]:
    """The reason of the latest close, for display beside the status."""
    for event in reversed(events):
        if event["to_status"]:
            return CLOSE_REASONS.get(event["close_reason"] or "") if event["to_status"] == "closed" else None
    return None
