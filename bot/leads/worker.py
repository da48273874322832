"""The background worker, wired at start-up: it delivers the notification outbox and purges expired leads."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from sqlalchemy.engine import Engine

from bot.leads import notify, outbox, retention
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_worker(engine: Engine, policy: Any, settings: Settings) -> outbox.Worker:
    """Worker wired from the settings (notify and worker sections) and the clinic policy (start-up only)."""
    config = settings.notify
    include = bool(getattr(policy, "include_health_summary", False))
    unset = [c for c in getattr(policy, "notification_channels", ()) if c not in config.channels]
    if unset:  # the rows wait, visible on the lead page, until a worker with these settings runs
        log.warning(
            "outbox worker: the clinic policy queues %s notifications, but this process has no settings "
            "for them (SMTP_HOST and SMTP_TO / WEBHOOK_URL); another worker must deliver them",
            " and ".join(unset),
        )

    def render(lead: Mapping[str, Any], escalation: bool):
        return notify.render(lead, config.base_url, include_health_summary=include, escalation=escalation)

    retain = getattr(policy, "retention", None)
    purge = (lambda: retention.purge(engine, retain, settings=settings)) if retain is not None else None
    return outbox.Worker(engine, notify.make_senders(config), render, settings.worker, purge=purge)
