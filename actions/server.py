"""Action server with a shared secret: `python -m actions.server -p PORT` (the runner starts it).

rasa-sdk's server runs any action for anyone who can reach it (a forged tracker once stored an
urgent `qualified` lead). Rasa sends ACTION_SERVER_TOKEN as `?token=` on every call (endpoints.yml
`action_endpoint.token`); this server refuses /webhook and /actions without it. /health stays open.
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import response

from bot.settings import Settings

log = logging.getLogger(__name__)
OPEN_PATHS = ("/health",)


def token_ok(given: str, expected: str) -> bool:
    """Constant-time compare; an empty expected token never matches (a missing setting refuses all)."""
    return bool(expected) and hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def build_app(token: str, actions: str = "actions"):
    app = create_app(actions, cors_origins=None)

    @app.middleware("request")
    async def require_token(request):
        if request.path in OPEN_PATHS:
            return None
        given = request.args.get("token") or request.headers.get("x-action-token") or ""
        if not token_ok(given, token):
            log.warning("action server: refused a call to %s without the shared secret", request.path)
            return response.json({"error": "unauthorized"}, status=401)
        return None

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-p", "--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args()
    settings = Settings.from_env()
    token = settings.action_token
    if not token:
        raise SystemExit(
            "ACTION_SERVER_TOKEN is not set: the action server refuses to run open (bot/runner.py sets it)"
        )
    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    app = build_app(token, args.actions)
    app.run(settings.sanic_host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
