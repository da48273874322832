"""Staff accounts, sessions and API tokens.

Passwords and API tokens are stored as argon2 hashes only (a stolen database gives no way in);
session ids are 256-bit random values stored as SHA-256 (fast to look up, useless if leaked).
Each session carries its own CSRF token for the dashboard's forms.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import lru_cache
from typing import Any, Dict, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table, select
from sqlalchemy.engine import Engine

from bot.infra.clock import aware, now
from bot.infra.db import metadata
from bot.settings import SessionConfig  # the settings' staff.session section (STAFF_SESSION_*, STAFF_LOGIN_*)

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
MIN_PASSWORD = 10
_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verifying against this keeps a login for an unknown user as slow as one for a known user."""
    return _hasher.hash("not-a-real-password")


staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(16), primary_key=True),  # public part of the token, for lookup
    Column("name", String(64), nullable=False, unique=True),
    Column("token_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked", Boolean, nullable=False, default=False),
)


class AuthError(ValueError):
    """A bad username, password or token name given on the command line."""


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def add_staff(engine: Engine, username: str, password: str) -> int:
    if not USERNAME_RE.match(username):
        raise AuthError("username: 2-64 letters, digits, or . _ @ -")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"password: at least {MIN_PASSWORD} characters")
    with engine.begin() as conn:
        if conn.execute(select(staff_users.c.id).where(staff_users.c.username == username)).first():
            raise AuthError(f"staff account {username!r} exists already")
        return conn.execute(
            staff_users.insert().values(
                username=username, password_hash=_hasher.hash(password), active=True, created_at=now()
            )
        ).inserted_primary_key[0]


def set_password(engine: Engine, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"password: at least {MIN_PASSWORD} characters")
    with engine.begin() as conn:
        done = conn.execute(
            staff_users.update().where(staff_users.c.username == username).values(password_hash=_hasher.hash(password))
        ).rowcount
        if not done:
            raise AuthError(f"no staff account {username!r}")
        uid = conn.execute(select(staff_users.c.id).where(staff_users.c.username == username)).scalar_one()
        conn.execute(staff_sessions.delete().where(staff_sessions.c.user_id == uid))


def check_password(engine: Engine, username: str, password: str) -> Optional[Dict[str, Any]]:
    """The staff row when the password is right and the account active, else None (constant effort)."""
    with engine.connect() as conn:
        row = conn.execute(select(staff_users).where(staff_users.c.username == username)).mappings().first()
    try:
        _hasher.verify(row["password_hash"] if row else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if not row or not row["active"]:
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        with engine.begin() as conn:
            conn.execute(
                staff_users.update().where(staff_users.c.id == row["id"]).values(password_hash=_hasher.hash(password))
            )
    return dict(row)


def start_session(engine: Engine, user_id: int, config: SessionConfig) -> tuple[str, str]:
    """Returns (cookie value, csrf token)."""
    sid, csrf, stamp = secrets.token_urlsafe(32), secrets.token_urlsafe(32), now()
    with engine.begin() as conn:
        conn.execute(staff_sessions.delete().where(staff_sessions.c.expires_at < stamp))
        conn.execute(
            staff_sessions.insert().values(
                id_hash=_sha(sid),
                user_id=user_id,
                csrf=csrf,
                created_at=stamp,
                last_seen_at=stamp,
                expires_at=stamp + config.lifetime,
            )
        )
    return sid, csrf


def load_session(engine: Engine, sid: Optional[str], config: SessionConfig) -> Optional[Dict[str, Any]]:
    """The live session joined with its user, touching last_seen; None if absent, expired or idle."""
    if not sid:
        return None
    stamp = now()
    with engine.begin() as conn:
        row = (
            conn.execute(
                select(staff_sessions, staff_users.c.username, staff_users.c.active)
                .join(staff_users, staff_users.c.id == staff_sessions.c.user_id)
                .where(staff_sessions.c.id_hash == _sha(sid))
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        if not row["active"] or aware(row["expires_at"]) <= stamp or aware(row["last_seen_at"]) + config.idle <= stamp:
            conn.execute(staff_sessions.delete().where(staff_sessions.c.id_hash == row["id_hash"]))
            return None
        conn.execute(
            staff_sessions.update().where(staff_sessions.c.id_hash == row["id_hash"]).values(last_seen_at=stamp)
        )
    return dict(row)


def end_session(engine: Engine, sid: Optional[str]) -> None:
    if sid:
        with engine.begin() as conn:
            conn.execute(staff_sessions.delete().where(staff_sessions.c.id_hash == _sha(sid)))


def csrf_ok(expected: Optional[str], given: Optional[str]) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def add_token(engine: Engine, name: str) -> str:
    """Create an API token; the plain token is returned once and never stored."""
    if not USERNAME_RE.match(name):
        raise AuthError("token name: 2-64 letters, digits, or . _ @ -")
    tid = secrets.token_hex(6)
    token = f"kst_{tid}_{secrets.token_urlsafe(32)}"
    with engine.begin() as conn:
        if conn.execute(select(api_tokens.c.id).where(api_tokens.c.name == name)).first():
            raise AuthError(f"API token {name!r} exists already")
        conn.execute(
            api_tokens.insert().values(
                id=tid, name=name, token_hash=_hasher.hash(token), created_at=now(), revoked=False
            )
        )
    return token


def revoke_token(engine: Engine, name: str) -> None:
    with engine.begin() as conn:
        if not conn.execute(api_tokens.update().where(api_tokens.c.name == name).values(revoked=True)).rowcount:
            raise AuthError(f"no API token {name!r}")


def check_token(engine: Engine, token: Optional[str]) -> Optional[str]:
    """The token's name when the bearer token is valid and not revoked, else None."""
    match = re.fullmatch(r"kst_([0-9a-f]{12})_[A-Za-z0-9_-]{20,}", token or "")
    if not token or not match:
        return None
    with engine.connect() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.id == match.group(1))).mappings().first()
    if row is None or row["revoked"]:
        return None
    try:
        _hasher.verify(row["token_hash"], token)
    except (VerificationError, InvalidHashError):
        return None
    with engine.begin() as conn:
        conn.execute(api_tokens.update().where(api_tokens.c.id == row["id"]).values(last_used_at=now()))
    return row["name"]
