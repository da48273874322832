"""Alembic's environment: which database, which tables, and how a revision renders our column types.

Run two ways:
- from code (bot/schema.py create_schema, `python -m bot db upgrade`, the servers at start-up): the caller
  passes its connection in `config.attributes["connection"]`, already holding the migration lock and the
  transaction, and this file neither opens an engine nor touches logging;
- from the `alembic` command (root alembic.ini): the URL is DATABASE_URL (environment or .env, else
  sqlite:///var/leads.db, as bot/settings.py), the engine is the app's own (bot/infra/db.py) and the same
  migration lock is taken, so a developer's `alembic upgrade head` and a starting server never both migrate.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from bot.infra.crypto import EncryptedJSON, EncryptedText
from bot.schema import metadata, migration_lock

config = context.config
target_metadata = metadata


def include_name(name, type_, parent_names) -> bool:
    """Autogenerate compares only the tables on our MetaData.

    Rasa's tracker store (rasa_plugins/tracker_store.py, Rasa's `events` table) may live in the same database
    (the cluster profile keeps both in one PostgreSQL database): those tables are Rasa's own, made and changed
    by Rasa, so a revision must never drop or alter them. Any other table we do not define is left alone too.
    """
    if type_ == "table":
        return name in target_metadata.tables
    return True


def render_item(type_, obj, autogen_context):
    """Render the encrypted columns as the types they are (stored as TEXT), importable by the revision."""
    if type_ == "type" and isinstance(obj, (EncryptedText, EncryptedJSON)):
        autogen_context.imports.add("from bot.infra.crypto import EncryptedJSON, EncryptedText")
        return f"{type(obj).__name__}()"
    return False  # everything else as Alembic renders it


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        include_name=include_name,
        render_item=render_item,
        compare_type=True,
        compare_server_default=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: the SQL script for a DBA, no connection."""
    url = database_url()
    _configure(
        url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, render_as_batch=url.startswith("sqlite")
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    # SQLite cannot ALTER most things: autogenerate writes batch operations (copy and swap the table) there.
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # from code: the caller holds the lock and commits
        _run(connection)
        return
    from bot.infra.db import make_engine

    engine = make_engine(database_url())
    try:
        with engine.connect() as conn, migration_lock(conn):
            _run(conn)
    finally:
        engine.dispose()


def database_url() -> str:
    from bot.settings import Settings

    return config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url


# Logging only for the alembic command (it has alembic.ini); code calling us keeps its own logging.
if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
