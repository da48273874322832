"""Browser test fixtures: Debian's Chromium through Playwright, a guard that fails any request
leaving 127.0.0.1, and (for the dev-only tests) a fake Rasa REST server plus the real web app.

The real-stack tests use the `stack` fixture from tests/support/stack.py (Rasa + actions + web app);
they never skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "fake_rasa: dev-only widget test against a fake Rasa REST server (stand-in until the real stack fixture exists)",
    )
    config.addinivalue_line("markers", "real_stack: runs against the real Rasa + actions + web app (`stack` fixture)")


# ---------------------------------------------------------------------------------------------
# Browser, and the "nothing leaves 127.0.0.1" guard on every context
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Guard:
    """Every request any page makes, and the ones refused for leaving loopback."""

    seen: List[str] = field(default_factory=list)
    blocked: List[str] = field(default_factory=list)

    def handle(self, route):
        url = route.request.url
        self.seen.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return route.continue_()
        if parts.hostname not in LOOPBACK:
            self.blocked.append(url)
            return route.abort("blockedbyclient")
        return route.continue_()


@pytest.fixture
def guard():
    g = Guard()
    yield g
    assert not g.blocked, f"requests left 127.0.0.1: {g.blocked}"


@pytest.fixture
def new_context(browser, guard):
    """Factory for browser contexts; each routes every request through the loopback guard."""
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("viewport", {"width": 1280, "height": 800})
        ctx = browser.new_context(**kwargs)
        ctx.route("**/*", guard.handle)
        ctx.on("weberror", lambda err: None)

        def watch(page):
            page.on(
                "websocket",
                lambda ws: guard.blocked.append(ws.url) if urlsplit(ws.url).hostname not in LOOPBACK else None,
            )

        ctx.on("page", watch)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


# ---------------------------------------------------------------------------------------------
# Dev-only stand-in: a fake Rasa REST server (clearly not the real bot)
# ---------------------------------------------------------------------------------------------

Reply = List[Dict]


def fake_script(message: str) -> Reply:
    """A few canned turns, shaped like Rasa's REST channel replies."""
    if message == "/greet":
        return [
            {"text": "FAKE RASA: Hi, I'm the screening assistant."},
            {
                "text": "Is it okay to ask some health questions?",
                "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
            },
        ]
    if message == "/affirm":
        return [{"text": "First, how old are you?"}]
    if message == "/request_human":
        return [{"text": "I've asked a person from the care team to contact you."}]
    if message == "/restart":
        return [
            {
                "text": "Okay, let's start over.",
                "buttons": [{"title": "Check my eligibility", "payload": "/check_eligibility"}],
            }
        ]
    if message.strip().isdigit():
        return [{"text": "What pain condition do you live with?"}]
    return [
        {
            "text": f"You said: {message}",
            "buttons": [
                {"title": "Yes", "payload": "yes"},
                {"title": "No", "payload": "no"},
                {"title": "Not sure", "payload": "not sure"},
            ],
        }
    ]


class FakeRasa:
    """Threaded HTTP server on a loopback port; can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: List[Tuple[str, str]] = []
        self.current_sender: Optional[str] = None
        self.delay = 0.0
        self.script: Callable[[str], Reply] = fake_script
        self._server: Optional[ThreadingHTTPServer] = None

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                if self.path != "/webhooks/rest/webhook":
                    self.send_error(404)
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                if fake.delay:
                    time.sleep(fake.delay)
                fake.received.append((body.get("sender"), body.get("message")))
                fake.current_sender = body.get("sender")  # for scripts that keep per-visitor state
                replies = [dict(r, recipient_id=body.get("sender")) for r in fake.script(body.get("message", ""))]
                data = json.dumps(replies).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def messages(self, sender: Optional[str] = None) -> List[str]:
        return [m for s, m in self.received if sender is None or s == sender]


@pytest.fixture(scope="session")
def fake_rasa():
    fake = FakeRasa()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def rasa_fake(fake_rasa):
    """Per test: the fake up, no delay, default script."""
    if fake_rasa._server is None:
        fake_rasa.start()
    fake_rasa.delay = 0.0
    fake_rasa.script = fake_script
    yield fake_rasa
    if fake_rasa._server is None:
        fake_rasa.start()


@dataclass
class DevWeb:
    url: str
    embed_url: str  # a second loopback origin, listed in ALLOWED_ORIGINS, serving a "clinic site"
    stranger_url: str  # a third loopback origin, NOT allowed


def serve_dir(directory: Path, port: int) -> ThreadingHTTPServer:
    from functools import partial
    from http.server import SimpleHTTPRequestHandler

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), partial(Quiet, directory=str(directory)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def dev_web(fake_rasa, tmp_path_factory):
    """The real web app (python -m bot.web) on a free port, relaying to the fake Rasa."""
    port, embed_port, stranger_port = free_port(), free_port(), free_port()
    web_url = f"http://127.0.0.1:{port}"
    tmp = tmp_path_factory.mktemp("devweb")
    site = tmp / "site"
    site.mkdir()
    (site / "index.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Another clinic site</title></head>"
        "<body><main><h1>Another clinic site</h1><p>Embedded widget test page.</p></main>"
        f"<script src='{web_url}/widget.js' data-clinic-name='Embedded Clinic' data-primary-color='#7a1f5c'></script>"
        "</body></html>",
        encoding="utf-8",
    )
    env = dict(
        os.environ,
        WEB_PORT=str(port),
        RASA_URL=fake_rasa.url,
        ALLOWED_ORIGINS=f"http://127.0.0.1:{embed_port}, https://clinic.example",
        CHAT_RATE_LIMIT_IP="100000/minute",  # every browser page is 127.0.0.1
        DATABASE_URL=f"sqlite:///{tmp / 'leads.db'}",
        TRACKER_DB=str(tmp / "tracker.db"),
    )
    log = open(tmp / "web.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "bot.web"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    servers = [serve_dir(site, embed_port), serve_dir(site, stranger_port)]
    try:
        deadline = time.time() + 30
        while True:
            try:
                if httpx.get(web_url + "/healthz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("web app did not start: " + (tmp / "web.log").read_text(errors="replace"))
            time.sleep(0.2)
        yield DevWeb(
            url=web_url, embed_url=f"http://127.0.0.1:{embed_port}/", stranger_url=f"http://127.0.0.1:{stranger_port}/"
        )
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# ---------------------------------------------------------------------------------------------
# The real stack (Rasa + actions + web app, the `stack` fixture from tests/support/stack.py)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def real_stack(stack):
    return stack
