"""Retention: delete what clinic_policy.yml `retention` no longer keeps (hourly from the outbox worker).

What goes, each counted from its own clock:
- unconverted leads (never scheduled, not closed as treated) unchanged for `unconverted_leads_days`,
  with their history, notifications and conversation;
- conversations that ended without a lead, `finished_conversations_days` after their last message
  (the Rasa server deletes them: POST /webhooks/rest/conversations/purge, rasa_plugins/channel.py);
- delivery attempts older than `outbox_attempts_days`, and notifications sent that long ago
  (unsent notifications are never purged: the outbox promises delivery);
- staff audit rows older than `audit_days`.
Only counts are logged and audited, never ids or content.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, List, Optional

import httpx
from sqlalchemy import and_, delete, select
from sqlalchemy.engine import Engine

from bot.infra.clock import now
from bot.infra.db import flush_deleted
from bot.leads.erase import delete_leads, erase_tracker
from bot.leads.outbox import outbox, outbox_attempts
from bot.leads.store import leads
from bot.leads.worklist import lead_events
from bot.screening.policy import Retention
from bot.staff.audit import audit_log

log = logging.getLogger(__name__)


def _converted(conn, ids: List[str]) -> set:
    """Leads whose latest status change closed them as treated (kept: they became patients)."""
    latest: Dict[str, Any] = {}
    rows = conn.execute(
        select(lead_events.c.lead_id, lead_events.c.to_status, lead_events.c.close_reason)
        .where(lead_events.c.lead_id.in_(ids), lead_events.c.to_status.isnot(None))
        .order_by(lead_events.c.id)
    ).all()
    for row in rows:
        latest[row.lead_id] = row
    return {i for i, r in latest.items() if r.to_status == "closed" and r.close_reason == "treated"}


def purge_rows(engine: Engine, retention: Retention, at: Optional[dt.datetime] = None) -> Dict[str, Any]:
    """Delete expired rows from the lead database; returns counts and the conversations to erase."""
    at = at or now()
    day = dt.timedelta(days=1)
    with engine.begin() as conn:
        stale = conn.execute(
            select(leads.c.id, leads.c.conversation_id).where(
                leads.c.updated_at < at - retention.unconverted_leads_days * day, leads.c.status != "scheduled"
            )
        ).all()
        keep = _converted(conn, [r.id for r in stale]) if stale else set()
        gone = [r for r in stale if r.id not in keep]
        delete_leads(conn, [r.id for r in gone])
        cutoff = at - retention.outbox_attempts_days * day
        attempts = conn.execute(delete(outbox_attempts).where(outbox_attempts.c.started_at < cutoff)).rowcount
        sent = select(outbox.c.id).where(and_(outbox.c.state == "sent", outbox.c.sent_at < cutoff))
        attempts += conn.execute(delete(outbox_attempts).where(outbox_attempts.c.outbox_id.in_(sent))).rowcount
        notices = conn.execute(delete(outbox).where(and_(outbox.c.state == "sent", outbox.c.sent_at < cutoff))).rowcount
        audits = conn.execute(delete(audit_log).where(audit_log.c.at < at - retention.audit_days * day)).rowcount
        counts = {"leads": len(gone), "outbox_attempts": attempts, "notifications": notices, "audit_rows": audits}
        if any(counts.values()):  # an hourly no-op leaves no row
            conn.execute(
                audit_log.insert().values(
                    at=now(),
                    actor="retention",
                    action="purge",
                    detail=" ".join(f"{k}={v}" for k, v in counts.items())[:120],
                )
            )
        remaining = list(conn.execute(select(leads.c.conversation_id)).scalars())
    flush_deleted(engine)
    return dict(counts, erase_conversations=[r.conversation_id for r in gone], keep_conversations=remaining)


def purge(
    engine: Engine, retention: Retention, settings: Any = None, at: Optional[dt.datetime] = None
) -> Dict[str, int]:
    """Purge the lead database, then (with settings) the expired conversations on the Rasa server."""
    result = purge_rows(engine, retention, at)
    counts = {k: v for k, v in result.items() if isinstance(v, int)}
    if settings is not None and settings.rasa_token:
        failed = sum(
            erase_tracker(settings.rasa_url, settings.rasa_token, c).startswith("failed")
            for c in result["erase_conversations"]
        )
        counts["conversations"] = len(result["erase_conversations"]) - failed
        counts["finished_conversations"] = purge_conversations(
            settings.rasa_url,
            settings.rasa_token,
            (at or now()) - retention.finished_conversations_days * dt.timedelta(days=1),
            result["keep_conversations"],
        )
    log.info("retention purge: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def purge_conversations(rasa_url: str, token: str, before: dt.datetime, keep: List[str], timeout: float = 60.0) -> int:
    """Ask Rasa to delete conversations whose last event is before `before`, except those with a lead; -1 on failure."""
    try:
        resp = httpx.post(
            f"{rasa_url.rstrip('/')}/webhooks/rest/conversations/purge",
            json={"before": before.timestamp(), "keep": keep},
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        log.warning("retention purge: Rasa not reachable (%s)", type(exc).__name__)
        return -1
    if resp.status_code != 200:
        log.warning("retention purge: Rasa answered HTTP %d", resp.status_code)
        return -1
    return int(resp.json().get("erased", 0))
