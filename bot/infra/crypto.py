"""Encryption at rest for the lead store's health answers and contact details (Fernet / MultiFernet).

Why: the lead database is a file (or a PostgreSQL server) that backups, copies and other local
users may read; the answers and contact details in it must be useless without the key.
The key lives in one place: LEADS_ENCRYPTION_KEY (environment, else the git-ignored .env, made on
first use like RASA_AUTH_TOKEN). Several keys may be listed comma-separated: the first encrypts,
all decrypt, so `python -m bot keys rotate` can put a new key first and re-encrypt every row.
Columns use TypeDecorators, so the rest of the code keeps reading dicts, lists and strings.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, List, Optional

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from bot.settings import ROOT, ensure_env_value, write_env_value

ENV_KEY = "LEADS_ENCRYPTION_KEY"
TOKEN_PREFIX = "gAAAAA"  # every Fernet token (version byte 0x80) starts so in urlsafe base64
_lock = threading.Lock()
_cache: dict = {}


def ensure_key(env_file: Path = ROOT / ".env") -> List[str]:
    """The key list from the environment, else .env, else a new key written to .env."""
    raw = ensure_env_value(ENV_KEY, lambda: Fernet.generate_key().decode(), env_file)
    return [k.strip() for k in raw.split(",") if k.strip()]


def fernet() -> MultiFernet:
    """The MultiFernet for the current key list (rebuilt when the list changes; .env read only once).

    Why this reads the environment and does not take the key from the settings object: the column types
    below run inside SQLAlchemy, where no settings object reaches them, and the key list changes inside a
    running process (`python -m bot keys rotate` writes the new list, then re-encrypts every row with it).
    """
    raw = os.environ.get(ENV_KEY, "").strip()  # env exception: the key is re-read after a rotation (see above)
    if not raw:
        raw = ",".join(ensure_key())
    with _lock:
        cached = _cache.get("f")
        if cached is None or cached[0] != raw:
            keys = [k.strip() for k in raw.split(",") if k.strip()]
            cached = (raw, MultiFernet([Fernet(k.encode()) for k in keys]))
            _cache["f"] = cached
        return cached[1]


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt a token; a value that is not a token is a row from before encryption and read as is."""
    if not token.startswith(TOKEN_PREFIX):
        return token
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise InvalidToken("a lead column cannot be decrypted with any key in LEADS_ENCRYPTION_KEY") from exc


class EncryptedText(TypeDecorator):
    """A string column stored as a Fernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Optional[str], dialect) -> Optional[str]:
        return None if value is None else encrypt(str(value))

    def process_result_value(self, value: Optional[str], dialect) -> Optional[str]:
        return None if value is None else decrypt(value)


class EncryptedJSON(TypeDecorator):
    """A JSON column (dict or list) stored as a Fernet token of its JSON text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> Optional[str]:
        return None if value is None else encrypt(json.dumps(value, separators=(",", ":"), default=str))

    def process_result_value(self, value: Optional[str], dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):  # a legacy PostgreSQL json column hands back objects
            return value
        return json.loads(decrypt(value))


def drop_old_keys(env_file: Path = ROOT / ".env") -> None:
    """After a rotation (every row re-encrypted), keep only the first key."""
    keys = ensure_key(env_file)
    write_env_value(ENV_KEY, keys[0], env_file)
    os.environ[ENV_KEY] = keys[0]  # env exception: written, so this process encrypts with the kept key
