"""The real stack for tests: Rasa server, action server and web app on free loopback ports.

`stack` (session scope) is shared by every stack-tier test in one pytest process; tests that stop or
kill servers build their own RunningStack. Also `append_report`, for tests that measure.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from tests.support import MODEL, ROOT, free_port  # noqa: F401  (ROOT re-exported for the tests)

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def append_report(path: Path, title: str, about: str, line: str) -> None:
    """One measured line in a run's report (reports/*.md, git-ignored); the first line of a run writes the header."""
    import time

    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        path.write_text(
            f"# {title}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores "
            f"({os.uname().machine})\n\n{about}\n\n",
            encoding="utf-8",
        )
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"- {line}\n")
    print(line)


def runner_env(tmp_path: Path, **extra: str) -> dict:
    """The environment for `python -m bot.runner` on free ports with its stores in tmp_path."""
    env = dict(os.environ)
    env.update(
        RASA_AUTH_TOKEN="test-token-runner",
        RASA_PORT=str(free_port()),
        ACTION_PORT=str(free_port()),
        WEB_PORT=str(free_port()),
        DATABASE_URL=f"sqlite:///{tmp_path / 'leads.db'}",
        TRACKER_DB=str(tmp_path / "t.db"),
        PYTHONPATH=str(ROOT),
        RASA_TELEMETRY_ENABLED="false",
    )
    env.update(extra)
    return env


class RunningStack:
    """Handle on the three servers for tests; `leads` reads the same lead store the actions write."""

    def __init__(self, tmp: Path, supervise: bool = False) -> None:
        import threading

        from bot.runner import Stack
        from bot.schema import open_lead_store

        self.tmp = tmp
        self.supervise = supervise
        self._stop_supervising = threading.Event()
        self.database_url = f"sqlite:///{tmp / 'leads.db'}"
        self.tracker_db = tmp / "tracker.db"
        os.environ["RASA_AUTH_TOKEN"] = os.environ.get("RASA_AUTH_TOKEN") or secrets.token_hex(16)
        os.environ["ACTION_SERVER_TOKEN"] = os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_hex(16)
        self._stack = Stack(
            rasa_port=free_port(),
            action_port=free_port(),
            web_port=free_port(),
            model=str(MODEL),
            # Load tests play hundreds of visitors from 127.0.0.1: per-IP limits off (tests/integration/test_edge.py checks them).
            env={
                "DATABASE_URL": self.database_url,
                "TRACKER_DB": str(tmp / "tracker.db"),
                "CHAT_RATE_LIMIT_IP": "100000/minute",
                "LOGIN_RATE_LIMIT_IP": "100000/minute",
            },
            quiet=os.environ.get("STACK_LOGS") != "1",
            log_dir=tmp / "logs",
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
        if self.supervise:  # as `make run` does: restart a server that dies
            self._stack.supervise_in_background(self._stop_supervising)

    def stop(self) -> None:
        self._stop_supervising.set()
        self._stack.stop()

    def pid(self, name: str) -> int:
        return self._stack.services[name].process.pid

    def restarts(self, name: str) -> int:
        return self._stack.services[name].restarts

    def wait_healthy(self, name: str, timeout: float = 300) -> float:
        """Seconds until `name` answers its health URL again (it may be mid-restart)."""
        import time

        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self._stack.services[name].healthy():
                return time.monotonic() - start
            time.sleep(0.5)
        raise AssertionError(f"{name} did not answer within {timeout:.0f}s")

    def logs(self) -> str:
        """Everything every server printed so far (all restarts)."""
        return "\n".join(
            p.read_text(encoding="utf-8", errors="replace") for p in sorted((self.tmp / "logs").glob("*.log"))
        )

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
