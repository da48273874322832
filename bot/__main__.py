"""Command line for the staff side:

    python -m bot staff add NAME [--password-stdin]     create a dashboard account
    python -m bot staff password NAME [--password-stdin] set a new password (ends its sessions)
    python -m bot token add NAME                        create an API token, printed once
    python -m bot token revoke NAME
    python -m bot worker [--once]                       deliver the notification outbox
    python -m bot erase LEAD_ID | --conversation ID     forget-me: erase a lead and its conversation
    python -m bot keys rotate                           new encryption key first, every lead re-encrypted
    python -m bot purge                                 delete what the retention policy no longer keeps
    python -m bot db upgrade                            bring the database to the newest schema (docs/migrations.md)
    python -m bot db current                            the database's schema revision, and whether it is the newest

Accounts are made here, not in the web app, so there is no sign-up page to attack.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys

from bot.settings import Settings


def _engine(settings: Settings):
    from bot.schema import open_lead_store
    from bot.screening.policy import load_policy

    return open_lead_store(settings.database_url, load_policy(settings.policy_path).notification_channels).engine


def _db(settings: Settings, action: str) -> int:
    """Schema migrations on DATABASE_URL: the same upgrade every server runs at start-up (bot/schema.py)."""
    from bot.infra.db import make_engine
    from bot.schema import create_schema, current_revisions, head_revisions

    engine = make_engine(settings.database_url)
    try:
        if action == "upgrade":
            create_schema(engine)
        with engine.connect() as conn:
            current = current_revisions(conn)
    finally:
        engine.dispose()
    heads = head_revisions()
    at_head = current == heads
    shown = (
        ", ".join(f"{rev} (head)" if rev in heads else rev for rev in current)
        or "none (an empty database, or one made before migrations)"
    )
    print(
        f"Schema revision: {shown}"
        + ("" if at_head else f"; newest: {', '.join(heads)} (run `python -m bot db upgrade`)")
    )
    return 0 if at_head or action == "current" else 1


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise SystemExit("The passwords differ; nothing was changed.")
    return first


async def _run_worker(settings: Settings, once: bool) -> int:
    from bot.leads import worker as lead_worker
    from bot.screening.policy import load_policy

    worker = lead_worker.build_worker(_engine(settings), load_policy(settings.policy_path), settings)
    if not worker.senders:
        logging.warning("outbox worker: no channel configured (set SMTP_HOST/SMTP_TO and/or WEBHOOK_URL)")
    if once:
        await worker.run_once()
        return 0
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await worker.run_forever(stop)
    return 0


def _erase(settings: Settings, lead_id: str | None, conversation: str | None) -> int:
    import getpass as _getpass

    from bot.leads import erase

    if bool(lead_id) == bool(conversation):
        print("error: give a LEAD_ID or --conversation ID (one of them)", file=sys.stderr)
        return 2
    actor = f"cli:{_getpass.getuser()}"
    done = erase.erase(
        _engine(settings), settings.rasa_url, settings.rasa_token, actor, lead_id=lead_id, conversation_id=conversation
    )
    if done is None:
        print(f"error: no lead {lead_id}", file=sys.stderr)
        return 1
    print(f"Erased {len(done.lead_ids)} lead(s), {done.outbox_rows} outbox row(s); conversation: {done.tracker}.")
    return 0 if not done.tracker.startswith("failed") else 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Staff accounts, API tokens, the outbox worker and the database schema."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    staff = sub.add_parser("staff", help="dashboard accounts").add_subparsers(dest="action", required=True)
    for action in ("add", "password"):
        p = staff.add_parser(action)
        p.add_argument("name")
        p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="action", required=True)
    for action in ("add", "revoke"):
        token.add_parser(action).add_argument("name")
    worker = sub.add_parser("worker", help="deliver notifications from the outbox")
    worker.add_argument("--once", action="store_true", help="deliver what is due now and exit")
    erase = sub.add_parser("erase", help="forget-me: erase a lead, its outbox rows and its conversation")
    erase.add_argument("lead_id", nargs="?")
    erase.add_argument("--conversation", help="erase by conversation id instead (also a conversation without a lead)")
    keys = sub.add_parser("keys", help="encryption keys").add_subparsers(dest="action", required=True)
    keys.add_parser("rotate", help="put a new key first in LEADS_ENCRYPTION_KEY and re-encrypt every lead")
    keys.add_parser("drop-old", help="after a rotation, keep only the newest key")
    sub.add_parser("purge", help="apply the retention policy now (the worker also does this hourly)")
    db = sub.add_parser("db", help="schema migrations (docs/migrations.md)").add_subparsers(
        dest="action", required=True
    )
    db.add_parser("upgrade", help="bring the database to the newest schema (the servers also do this at start-up)")
    db.add_parser("current", help="show the database's schema revision")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry URLs (webhook secrets)
    settings = Settings.from_env()
    from bot.staff import auth

    try:
        if args.command == "staff" and args.action == "add":
            auth.add_staff(_engine(settings), args.name, _password(args.password_stdin))
            print(f"Staff account {args.name} created.")
        elif args.command == "staff":
            auth.set_password(_engine(settings), args.name, _password(args.password_stdin))
            print(f"Password for {args.name} changed; their sessions were ended.")
        elif args.command == "token" and args.action == "add":
            value = auth.add_token(_engine(settings), args.name)
            print(f"API token {args.name} created. It is shown only this once; store it safely:")
            print(value)
        elif args.command == "token":
            auth.revoke_token(_engine(settings), args.name)
            print(f"API token {args.name} revoked.")
        elif args.command == "erase":
            return _erase(settings, args.lead_id, args.conversation)
        elif args.command == "keys" and args.action == "rotate":
            from bot.leads import keys as lead_keys

            count = lead_keys.rotate(_engine(settings))
            print(
                f"New key added first to LEADS_ENCRYPTION_KEY in .env; {count} leads re-encrypted. "
                "Old keys are kept for reading; run `python -m bot keys drop-old` once backups made with them have expired."
            )
        elif args.command == "keys":
            from bot.infra import crypto

            crypto.drop_old_keys()
            print("Only the newest key is kept in LEADS_ENCRYPTION_KEY.")
        elif args.command == "db":
            return _db(settings, args.action)
        elif args.command == "purge":
            from bot.leads import retention
            from bot.screening.policy import load_policy

            counts = retention.purge(_engine(settings), load_policy(settings.policy_path).retention, settings=settings)
            print("Purged: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        else:
            return asyncio.run(_run_worker(settings, args.once))
    except auth.AuthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
