"""Every table the project owns, on one MetaData; bringing a database up to it, and opening the lead store on it.

Each package defines its own tables; this module imports them all, so nothing else has to import a
module only for the side effect of registering its tables.
"""

from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.infra import crypto
from bot.infra.db import make_engine, metadata
from bot.leads import outbox, store, worklist  # noqa: F401  (their tables join metadata)
from bot.leads.keys import reencrypt
from bot.leads.store import ENCRYPTED_COLUMNS, LeadStore
from bot.staff import audit, auth  # noqa: F401  (their tables join metadata)

__all__ = ["create_schema", "metadata", "open_lead_store"]


def create_schema(engine: Engine) -> None:
    """Create every table the project defines (idempotent)."""
    metadata.create_all(engine)
    # Tables made before an index existed get it here (create_all skips existing tables).
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)
    _encrypt_legacy(engine)


def _encrypt_legacy(engine: Engine) -> None:
    """A store made before encryption at rest: text columns on PostgreSQL, then every row encrypted."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            types = dict(conn.execute(text(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'leads'")).all())
            for name in ENCRYPTED_COLUMNS:
                if types.get(name) not in (None, "text"):
                    conn.execute(text(f'ALTER TABLE leads ALTER COLUMN "{name}" TYPE text USING "{name}"::text'))
        plain = " OR ".join(f'("{n}" IS NOT NULL AND "{n}" NOT LIKE \'{crypto.TOKEN_PREFIX}%\')' for n in ENCRYPTED_COLUMNS)
        legacy = conn.execute(text(f"SELECT count(*) FROM leads WHERE {plain}")).scalar_one()
    if legacy:
        reencrypt(engine)


def open_lead_store(database_url: str, notify_channels: Optional[Iterable[str]] = None) -> LeadStore:
    """Create the engine and schema and install the write hooks (called at start-up, never at import).

    `notify_channels`: the notifications a lead queues, in the lead's own transaction. They come from the
    clinic's policy (clinic_policy.yml `notifications.channels`; read here when not given, for scripts), never from the
    SMTP or webhook settings of the process that happens to write the lead: the action server writes leads,
    while the worker that delivers them may be the only process with those settings.
    """
    if notify_channels is None:
        from bot.screening.policy import load_policy
        from bot.settings import Settings

        notify_channels = load_policy(Settings.from_env().policy_path).notification_channels
    engine = make_engine(database_url)
    create_schema(engine)
    lead_store = LeadStore(engine)
    outbox.install(lead_store, notify_channels)
    return lead_store
