"""Forget-me: erase a visitor's lead, its work history, its outbox rows and attempts, and the conversation.

One pure function per target, shared by the three routes (staff dashboard and CLI, the lead API,
the visitor's own "delete my data"). The lead rows go in one transaction with an audit row that
says who erased which lead and conversation, and when; never what was in it. The conversation
(Rasa's tracker) is erased over HTTP by the Rasa channel's DELETE route (rasa_plugins/channel.py),
because only the Rasa server may touch its tracker store while it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional
from urllib.parse import quote

import httpx
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from bot.infra.clock import now
from bot.infra.db import flush_deleted
from bot.leads.store import leads
from bot.staff.audit import audit_log


@dataclass
class Erased:
    lead_ids: List[str]
    conversation_id: Optional[str]
    outbox_rows: int
    tracker: str = "not asked"  # erased / scheduled / failed: <why> / not asked


def delete_leads(conn, ids: List[str]) -> int:
    """Delete leads and everything hanging off them, in the caller's transaction; returns outbox rows deleted."""
    from bot.leads.outbox import outbox, outbox_attempts
    from bot.leads.worklist import lead_events

    boxes = select(outbox.c.id).where(outbox.c.lead_id.in_(ids))
    conn.execute(delete(outbox_attempts).where(outbox_attempts.c.outbox_id.in_(boxes)))
    count = conn.execute(delete(outbox).where(outbox.c.lead_id.in_(ids))).rowcount
    conn.execute(delete(lead_events).where(lead_events.c.lead_id.in_(ids)))
    conn.execute(delete(leads).where(leads.c.id.in_(ids)))
    return count


def erase_rows(
    engine: Engine, actor: str, lead_id: Optional[str] = None, conversation_id: Optional[str] = None, ip: str = ""
) -> Optional[Erased]:
    """Delete the lead (by id, or every lead of a conversation) and its rows; None if a lead id is unknown."""
    with engine.begin() as conn:
        if lead_id is not None:
            row = conn.execute(select(leads.c.id, leads.c.conversation_id).where(leads.c.id == lead_id)).first()
            if row is None:
                return None
            ids, conversation_id = [row.id], row.conversation_id
        else:
            ids = list(conn.execute(select(leads.c.id).where(leads.c.conversation_id == conversation_id)).scalars())
        count = delete_leads(conn, ids)
        detail = f"lead and {count} outbox rows; conversation {conversation_id}"[:120]
        conn.execute(
            audit_log.insert().values(
                at=now(),
                actor=actor[:120],
                action="erase",
                lead_id=ids[0] if ids else None,
                detail=detail,
                ip=(ip or None) and ip[:64],
            )
        )
    flush_deleted(engine)
    return Erased(ids, conversation_id, count)


def tracker_url(rasa_url: str, conversation_id: str) -> str:
    return f"{rasa_url.rstrip('/')}/webhooks/rest/conversations/{quote(conversation_id, safe='')}"


def erase_tracker(rasa_url: str, token: str, conversation_id: str, wait: bool = True, timeout: float = 10.0) -> str:
    """Ask the Rasa server to delete the conversation's tracker rows.

    wait=False is for the conversation's own erase action: its turn holds the conversation lock,
    so the server deletes once the turn has finished (HTTP 202) instead of waiting here forever.
    """
    try:
        resp = httpx.delete(
            tracker_url(rasa_url, conversation_id),
            params={"wait": "1" if wait else "0"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        return f"failed: Rasa not reachable ({type(exc).__name__})"
    if resp.status_code in (200, 204):
        return "erased"
    if resp.status_code == 202:
        return "scheduled"
    return f"failed: Rasa answered HTTP {resp.status_code}"


def erase(
    engine: Engine,
    rasa_url: str,
    token: str,
    actor: str,
    lead_id: Optional[str] = None,
    conversation_id: Optional[str] = None,
    ip: str = "",
    wait: bool = True,
) -> Optional[Erased]:
    """Erase the lead rows, then the conversation; None when the lead id is unknown."""
    done = erase_rows(engine, actor, lead_id=lead_id, conversation_id=conversation_id, ip=ip)
    if done is None:
        return None
    if done.conversation_id:
        done.tracker = erase_tracker(rasa_url, token, done.conversation_id, wait=wait)
    return done
