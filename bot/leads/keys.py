"""Re-encrypting the stored leads: after a key rotation, and for rows stored before encryption at rest."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.infra.crypto import ENV_KEY, ensure_key
from bot.leads.store import ENCRYPTED_COLUMNS, leads
from bot.settings import ROOT, write_env_value


def rotate(engine, env_file: Path = ROOT / ".env") -> int:
    """Put a new key first, keep the old ones for reading, re-encrypt every lead; returns rows done.

    The new list is written to .env before any row is touched, so a crash half-way leaves rows
    readable (each under the old or the new key) and a second run finishes the job.
    """
    old = ensure_key(env_file)
    keys = [Fernet.generate_key().decode()] + old
    write_env_value(ENV_KEY, ",".join(keys), env_file)
    os.environ[ENV_KEY] = ",".join(keys)  # env exception: written, so the re-encryption below uses the new key
    return reencrypt(engine)


def reencrypt(engine) -> int:
    """Read every lead and write its encrypted columns back under the first key (also encrypts legacy rows)."""
    cols = [leads.c[name] for name in ENCRYPTED_COLUMNS]
    done = 0
    with engine.begin() as conn:
        for row in conn.execute(select(leads.c.id, *cols)).mappings().all():
            conn.execute(leads.update().where(leads.c.id == row["id"]).values({c.name: row[c.name] for c in cols}))
            done += 1
    return done
