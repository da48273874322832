"""Settings, read once at start-up from the environment (and the git-ignored .env written by `make run`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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
