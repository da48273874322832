"""Shared fixtures. `stack` starts the real Rasa server, action server and web app on free loopback ports."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "screening.tar.gz"
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningStack:
    """Handle on the three servers for tests; `leads` reads the same lead store the actions write."""

    def __init__(self, tmp: Path) -> None:
        from bot.leads import open_lead_store
        from bot.runner import Stack

        self.database_url = f"sqlite:///{tmp / 'leads.db'}"
        os.environ["RASA_AUTH_TOKEN"] = os.environ.get("RASA_AUTH_TOKEN") or secrets.token_hex(16)
        self._stack = Stack(
            rasa_port=free_port(), action_port=free_port(), web_port=free_port(), model=str(MODEL),
            env={"DATABASE_URL": self.database_url, "TRACKER_DB": str(tmp / "tracker.db")},
            quiet=os.environ.get("STACK_LOGS") != "1",
        )
        self.token = self._stack.token
        self.rasa_url = self._stack.rasa_url
        self.web_url = self._stack.web_url
        self.action_url = self._stack.action_url
        self.leads = open_lead_store(self.database_url)

    def start(self) -> None:
        self._stack.start()
        try:
            self._stack.wait_ready(timeout=300)
        except BaseException:
            self._stack.stop()  # never leave servers behind
            raise

    def stop(self) -> None:
        self._stack.stop()

    def stop_rasa(self) -> None:
        self._stack.stop(only="rasa server")

    def start_rasa(self) -> None:
        self._stack.start(only="rasa server")
        try:
            self._stack.wait_ready(timeout=300, only="rasa server")
        except BaseException:
            self._stack.stop()
            raise

    def tail(self, name: str) -> str:
        return "\n".join(self._stack.services[name].tail)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does it first)")
    running = RunningStack(tmp_path_factory.mktemp("stack"))
    running.start()
    yield running
    running.stop()
