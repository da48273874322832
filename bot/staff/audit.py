"""Audit log of staff access: who did what, when, to which lead, and never any health data.

Kept apart from the lead's own work history (bot/leads/worklist.py) because an audit log is read by
people who must not see health answers; `detail` is limited to short, fixed, non-clinical words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional

from sqlalchemy import Column, DateTime, Integer, String, Table, func, select
from sqlalchemy.engine import Engine

from bot.infra.clock import now
from bot.infra.db import metadata

ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "list_leads",
    "view_lead",
    "update_lead",
    "export_csv",
    "export_fhir",
    "api_list",
    "api_view",
    "api_update",
    "erase",
    "purge",
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(120), nullable=False),  # staff username or "token:NAME"
    Column("action", String(32), nullable=False),
    Column("lead_id", String(16), index=True),
    Column("detail", String(120)),  # e.g. "status new->contacted", "12 rows"; never answers or notes
    Column("ip", String(64)),
)


def record(
    engine: Engine, actor: str, action: str, lead_id: Optional[str] = None, detail: str = "", ip: str = ""
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    with engine.begin() as conn:
        conn.execute(
            audit_log.insert().values(
                at=now(),
                actor=actor[:120],
                action=action,
                lead_id=lead_id,
                detail=(detail or None) and detail[:120],
                ip=(ip or None) and ip[:64],
            )
        )


def failures_since(engine: Engine, actor: str, since: dt.datetime) -> int:
    """Failed logins for a username since a time (for the login lock-out)."""
    with engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(audit_log)
            .where(audit_log.c.actor == actor[:120], audit_log.c.action == "login_failed", audit_log.c.at >= since)
        ).scalar_one()


def recent(engine: Engine, limit: int = 200) -> List[Dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]
