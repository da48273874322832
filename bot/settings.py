"""Settings, read once at start-up from the environment (and the git-ignored .env written by `make run`)."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List, TextIO

ROOT = Path(__file__).resolve().parent.parent


def load_dotenv(path: Path = ROOT / ".env") -> None:
    """Put KEY=VALUE lines of .env into os.environ unless already set (the environment wins)."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


@contextmanager
def _locked_env(env_file: Path) -> Iterator[TextIO]:
    """.env open for a read-modify-write under an exclusive lock, owner-only: servers and test tiers that
    start at once on a fresh clone agree on one secret instead of each writing its own."""
    fd = os.open(env_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with os.fdopen(os.dup(fd), "r+", encoding="utf-8") as fh:
            yield fh
    finally:
        os.close(fd)  # releases the lock
    env_file.chmod(0o600)


def _without(lines: List[str], name: str) -> List[str]:
    return [line for line in lines if not line.strip().startswith(f"{name}=")]


def write_env_value(name: str, value: str, env_file: Path = ROOT / ".env") -> None:
    """Set NAME=value in .env, replacing an earlier line (key rotation)."""
    with _locked_env(env_file) as fh:
        lines = _without(fh.read().splitlines(), name) + [f"{name}={value}"]
        fh.seek(0)
        fh.write("\n".join(lines) + "\n")
        fh.truncate()


def ensure_env_value(name: str, make: Callable[[], str], env_file: Path = ROOT / ".env") -> str:
    """`name` from the environment, else from .env, else make() written to .env (a secret made on first run)."""
    load_dotenv(env_file)
    if not os.environ.get(name, "").strip():
        with _locked_env(env_file) as fh:
            lines = fh.read().splitlines()
            found = [line.split("=", 1)[1].strip() for line in lines if line.strip().startswith(f"{name}=")]
            value = found[-1] if found and found[-1] else ""
            if not value:  # nobody wrote it while this process waited for the lock
                value = make()
                fh.seek(0)
                fh.write("\n".join(_without(lines, name) + [f"{name}={value}"]) + "\n")
                fh.truncate()
        os.environ[name] = value
    return os.environ[name].strip()


@dataclass(frozen=True)
class Settings:
    database_url: str
    policy_path: Path
    rasa_url: str
    rasa_token: str
    web_port: int
    web_host: str = "127.0.0.1"  # WEB_HOST: 0.0.0.0 only inside a container (deploy/)

    @classmethod
    def from_env(cls) -> "Settings":
        load_dotenv()
        var = ROOT / "var"
        return cls(
            database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{var / 'leads.db'}",
            policy_path=Path(os.environ.get("CLINIC_POLICY") or ROOT / "clinic_policy.yml"),
            rasa_url=os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}",
            rasa_token=os.environ.get("RASA_AUTH_TOKEN", ""),
            web_port=int(os.environ.get("WEB_PORT", "8080")),
            web_host=os.environ.get("WEB_HOST") or "127.0.0.1",
        )
