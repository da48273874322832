"""Settings, read once at start-up from the environment (and the git-ignored .env written by `make run`)."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, TextIO

ROOT = Path(__file__).resolve().parent.parent


def parse_env(text: str) -> Dict[str, str]:
    """KEY=VALUE lines of a .env file (comments and blank lines skipped; a later line wins)."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def load_dotenv(path: Path = ROOT / ".env") -> None:
    """Put KEY=VALUE lines of .env into os.environ unless already set (the environment wins)."""
    if path.exists():
        for key, value in parse_env(path.read_text(encoding="utf-8")).items():
            os.environ.setdefault(key, value)


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


def _replace_line(fh: TextIO, text: str, name: str, value: str) -> None:
    """Rewrite the locked file `fh` (whose contents were `text`) with NAME=value instead of any earlier line."""
    lines = [line for line in text.splitlines() if not line.strip().startswith(f"{name}=")] + [f"{name}={value}"]
    fh.seek(0)
    fh.write("\n".join(lines) + "\n")
    fh.truncate()


def write_env_value(name: str, value: str, env_file: Path = ROOT / ".env") -> None:
    """Set NAME=value in .env, replacing an earlier line (key rotation)."""
    with _locked_env(env_file) as fh:
        _replace_line(fh, fh.read(), name, value)


def ensure_env_value(name: str, make: Callable[[], str], env_file: Path = ROOT / ".env") -> str:
    """`name` from the environment, else from .env, else make() written to .env (a secret made on first run)."""
    load_dotenv(env_file)
    if not os.environ.get(name, "").strip():
        with _locked_env(env_file) as fh:
            text = fh.read()
            value = parse_env(text).get(name, "")
            if not value:  # nobody wrote it while this process waited for the lock
                value = make()
                _replace_line(fh, text, name, value)
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
    def from_env(cls) -> Settings:
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
