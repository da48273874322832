"""Shared real parts for the staff tests: databases, SMTP and webhook receivers, the web server.

Everything binds 127.0.0.1 on a free port and stops at the end of its fixture. Used by the integration,
stack, browser and fuzz tests; tests/conftest.py registers its fixtures (`db_url`) for every tier.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Dict, Iterator, List, Optional

import httpx
import pytest

from tests.support import ROOT, free_port  # noqa: F401  (re-exported for the tests)

PY = sys.executable
PG_BASE = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
NOTIFY_VARS = (
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_SECURITY",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_FROM",
    "SMTP_TO",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "STAFF_BASE_URL",
)


def postgres_up() -> Optional[str]:
    """None when PostgreSQL answers, else the reason to skip."""
    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test", connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001
        return (
            f"PostgreSQL at 127.0.0.1:5432 (database test, user postgres) does not answer: {type(exc).__name__}: {exc}"
        )
    return None


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a PostgreSQL schema of its own (dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'leads.db'}"
        return
    reason = postgres_up()
    if reason:
        pytest.skip(reason)
    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_BASE, future=True)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    with database(request.param, tmp_path) as url:
        yield url


class RasaStub:
    """Rasa's tracker endpoint on loopback: known conversations answer, others get HTTP 500."""

    def __init__(self, token: str = "rasa-secret") -> None:
        self.port, self.token = free_port(), token
        self.trackers: Dict[str, Any] = {}
        self.requests: List[str] = []
        self._server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RasaStub:
        from urllib.parse import parse_qs, unquote, urlparse

        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                parsed = urlparse(self.path)
                outer.requests.append(self.path)
                parts = parsed.path.strip("/").split("/")
                ok_token = parse_qs(parsed.query).get("token") == [outer.token]
                conv = unquote(parts[1]) if len(parts) == 3 and parts[0] == "conversations" else None
                if not ok_token:
                    status, body = 401, {"message": "bad token"}
                elif conv in outer.trackers:
                    status, body = 200, {"sender_id": conv, "events": outer.trackers[conv]}
                else:
                    status, body = 500, {"message": "boom"}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def tracker_events(*turns: tuple) -> List[Dict[str, Any]]:
    return [{"event": "action", "name": "action_listen", "timestamp": 1700000000.0}] + [
        {"event": kind, "text": text_, "timestamp": 1700000000.0 + i} for i, (kind, text_) in enumerate(turns)
    ]


def clean_notify_env(monkeypatch, **values: str) -> None:
    """No SMTP/webhook settings leak in from the developer's shell or .env."""
    for name in NOTIFY_VARS:
        monkeypatch.setenv(name, "")
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def lead(**overrides: Any) -> Dict[str, Any]:
    base = {
        "conversation_id": "conv-" + uuid.uuid4().hex[:8],
        "outcome": "needs_review",
        "reasons": ["a heart or blood pressure condition"],
        "answers": {
            "age": 44,
            "condition": "crps",
            "condition_detail": "right foot after surgery",
            "pain_duration_months": 18,
            "pain_severity": 8,
            "heart_condition": True,
            "pregnant": False,
            "psychosis_history": False,
            "unsure_answers": ["liver_disease"],
            "prior_treatments": ["nerve block", "physical therapy"],
        },
        "medications": [
            {
                "name": "xanax",
                "drug_class": "benzodiazepine",
                "class_label": "a benzodiazepine",
                "outcome": "review",
                "why": "a benzodiazepine: can change how ketamine works",
            }
        ],
        "full_name": "Dana Example",
        "email": "dana@example.org",
        "phone": "555-0100",
        "preferred_contact_time": "mornings",
        "contact_consent": True,
    }
    base.update(overrides)
    return base


class WebhookReceiver:
    """A real HTTP server recording every POST; `status` sets the answer, `on_post` runs first."""

    def __init__(self, port: Optional[int] = None) -> None:
        self.port = port or free_port()
        self.received: List[Dict[str, Any]] = []
        self.status = 200
        self.on_post: Optional[Callable[[Dict[str, Any]], None]] = None
        self._server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> WebhookReceiver:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                entry = {
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "json": json.loads(body or b"null"),
                }
                outer.received.append(entry)
                if outer.on_post:
                    outer.on_post(entry)
                self.send_response(outer.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def keys(self) -> List[str]:
        return [r["headers"].get("idempotency-key") for r in self.received]


class SmtpReceiver:
    """aiosmtpd on loopback keeping every message; `on_data` runs before the 250 reply."""

    def __init__(self, port: Optional[int] = None) -> None:
        self.port = port or free_port()
        self.messages: List[Any] = []
        self.on_data: Optional[Callable[[Any], None]] = None
        self._controller = None

    def start(self) -> SmtpReceiver:
        from aiosmtpd.controller import Controller

        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                msg = message_from_bytes(envelope.original_content or envelope.content)
                outer.messages.append(msg)
                if outer.on_data:
                    outer.on_data(msg)
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None

    def message_ids(self) -> List[str]:
        return [m["Message-ID"] for m in self.messages]


def smtp_env(smtp_port: int, webhook_url: str) -> Dict[str, str]:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_SECURITY": "none",
        "SMTP_FROM": "bot@clinic.example",
        "SMTP_TO": "staff@clinic.example",
        "WEBHOOK_URL": webhook_url,
    }


def wait_for(check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.1, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


# Every test client is 127.0.0.1, so per-IP limits would count all tests as one visitor;
# tests/integration/test_edge.py checks the real limits.
LOOPBACK_LIMITS = {
    "CHAT_RATE_LIMIT_IP": "100000/minute",
    "CHAT_RATE_LIMIT_CONVERSATION": "100000/minute",
    "LOGIN_RATE_LIMIT_IP": "100000/minute",
}


def subprocess_env(db: str, **extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "WEBHOOK_", "OUTBOX_", "STAFF_"))}
    env.update({name: "" for name in NOTIFY_VARS})
    env.update(DATABASE_URL=db, RASA_URL=f"http://127.0.0.1:{free_port()}", RASA_AUTH_TOKEN="", PYTHONUNBUFFERED="1")
    env.update(LOOPBACK_LIMITS)
    env.update(extra)
    return env


def cli(env: Dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "-m", "bot", *args], input=stdin, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


class WebServer:
    """`python -m bot.web` as its own process on a free port; output kept for log checks."""

    def __init__(self, env: Dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.env = dict(env, WEB_PORT=str(self.port))
        self.env.setdefault("STAFF_BASE_URL", f"http://127.0.0.1:{self.port}")
        self.log_path = log_path
        self.proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WebServer:
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [PY, "-m", "bot.web"], env=self.env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

        def up():
            if self.proc.poll() is not None:
                raise AssertionError("web server exited:\n" + self.log_path.read_text(errors="replace")[-3000:])
            try:
                return httpx.get(self.url + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(up, timeout=60, what="web server")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def login(client: httpx.Client, base: str, username: str, password: str) -> httpx.Response:
    """Log in like a browser: fetch the form (login CSRF cookie + field), then post it."""
    import re

    form = client.get(base + "/staff/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return client.post(
        base + "/staff/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/staff/leads"},
    )


def csrf_of(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


PASSWORD = "correct horse battery staple"


@contextmanager
def staff_stack(kind: str, folder: Path, **extra_env: str) -> Iterator[SimpleNamespace]:
    """Database + Rasa stub + web server + one staff account (alice) + one API token (crm)."""
    rasa = RasaStub().start()
    with database(kind, folder) as db:
        env = subprocess_env(
            db,
            **{
                "RASA_URL": rasa.url,
                "RASA_AUTH_TOKEN": rasa.token,
                "STAFF_REFRESH_SECONDS": "2",
                "OUTBOX_IN_WEB": "0",
                **extra_env,
            },
        )
        made = cli(env, "staff", "add", "alice", "--password-stdin", stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
        token = cli(env, "token", "add", "crm")
        assert token.returncode == 0, token.stderr
        server = WebServer(env, folder / "web.log").start()
        try:
            yield SimpleNamespace(
                db=db, env=env, rasa=rasa, server=server, url=server.url, token=token.stdout.strip().splitlines()[-1]
            )
        finally:
            server.stop()
            rasa.stop()


def store_for(db: str):
    """A lead store in the test process (no notification channels)."""
    from bot.schema import open_lead_store

    return open_lead_store(db, notify_channels=())


def registered_routes(*prefixes: str) -> List[tuple]:
    """(path, method) of every route the web app registers under the prefixes, read from its router."""
    import dataclasses

    from bot.settings import Settings
    from bot.web.app import create_app

    settings = dataclasses.replace(Settings.from_env(), database_url="sqlite:///:memory:")
    app = create_app(settings, name="routes_" + uuid.uuid4().hex[:8])
    found = []
    for route in app.router.routes:
        if route.path.split("/")[0] in prefixes:
            found += [(route.path, m) for m in sorted(route.methods) if m not in ("HEAD", "OPTIONS")]
    return sorted(found)
