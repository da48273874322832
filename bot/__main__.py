"""Command line for the staff side:

    python -m bot staff add NAME [--password-stdin]     create a dashboard account
    python -m bot staff password NAME [--password-stdin] set a new password (ends its sessions)
    python -m bot token add NAME                        create an API token, printed once
    python -m bot token revoke NAME
    python -m bot worker [--once]                       deliver the notification outbox

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
    from bot.leads import open_lead_store

    return open_lead_store(settings.database_url).engine


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise SystemExit("The passwords differ; nothing was changed.")
    return first


async def _run_worker(settings: Settings, once: bool) -> int:
    from bot import outbox
    from bot.policy import load_policy

    worker = outbox.build_worker(_engine(settings), load_policy(settings.policy_path))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Staff accounts, API tokens and the outbox worker.")
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
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry URLs (webhook secrets)
    settings = Settings.from_env()
    from bot import auth

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
        else:
            return asyncio.run(_run_worker(settings, args.once))
    except auth.AuthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
