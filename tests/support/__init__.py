"""Helpers and fixtures shared by every test tier (tests/conftest.py loads the fixture modules).

- `services`: loopback parts: databases (SQLite file or a PostgreSQL schema of its own), SMTP and
  webhook receivers, the web app as a subprocess, the `python -m bot` CLI, planted leads.
- `stack`: the real Rasa server, action server and web app (`stack` fixture), and run reports.
- `lock_worker`: the child process the Redis lock-store tests race.
"""

from __future__ import annotations

import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "screening.tar.gz"


def free_port() -> int:
    """A loopback port nothing listens on right now (the caller binds it soon after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
