"""One settings object: bot/settings.py is the one place that reads the environment."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from bot.settings import ClusterSettings, Settings

ROOT = Path(__file__).resolve().parents[2]
ENV_READ = re.compile(r"os\.environ|getenv")
# Files allowed to touch the environment, each line marked `# env exception: <why>` (bot/settings.py is its home).
EXCEPTIONS = {
    "bot/runner.py",  # copies it for the three child servers, sets telemetry off for them
    "bot/cluster.py",  # copies it for supervisord and its programs
    "bot/leads/keys.py",  # writes the rotated key list
    "bot/infra/crypto.py",  # re-reads the key list after a rotation; writes it after drop-old
}


def test_only_settings_reads_the_environment():
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "actions").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "bot/settings.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if ENV_READ.search(code) and not (rel in EXCEPTIONS and "# env exception:" in line):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, "read the settings object (bot/settings.py) instead:\n" + "\n".join(found)


def test_settings_file_reads_the_environment_only_in_its_env_helpers():
    """In bot/settings.py itself: load_dotenv, ensure_env_value and the one read in Settings.from_env."""
    text = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    reads = [line for line in text.splitlines() if ENV_READ.search(line.split("#", 1)[0])]
    assert len(reads) == 5, reads  # load_dotenv 1, ensure_env_value 3, Settings.from_env 1


def test_sections_from_a_mapping_with_their_defaults():
    s = Settings.from_env({})
    assert s.ports.web == 8080 and s.rasa_url == "http://127.0.0.1:5005" and s.rasa_token == ""
    assert s.edge.origins == {"http://127.0.0.1:8080", "http://localhost:8080"} and s.edge.trusted_proxies == 0
    assert (
        s.staff.refresh_seconds == 30 and s.staff.outbox_in_web and s.staff.session.lifetime == dt.timedelta(hours=12)
    )
    assert s.notify.base_url == "http://127.0.0.1:8080" and s.notify.channels == []
    assert s.worker.poll_seconds == 2.0 and s.worker.purge_seconds == 3600.0
    assert s.cluster == ClusterSettings.from_env({})


def test_sections_from_a_mapping_with_values():
    s = Settings.from_env(
        {
            "WEB_PORT": "9000",
            "RASA_PORT": "6000",
            "PUBLIC_ORIGIN": "https://Clinic.example/",
            "ALLOWED_ORIGINS": "https://a.example",
            "STAFF_REFRESH_SECONDS": "5",
            "OUTBOX_IN_WEB": "0",
            "STAFF_SESSION_IDLE_MINUTES": "7",
            "STAFF_COOKIE_SECURE": "TRUE",
            "SMTP_HOST": "mail",
            "SMTP_TO": "a@b, c@d",
            "SMTP_SECURITY": "tls",
            "WEBHOOK_URL": "https://hooks.example/1",
            "OUTBOX_POLL_SECONDS": "0.5",
            "RETENTION_PURGE_SECONDS": "60",
            "ACTION_SERVER_TOKEN": "s3cret",
        }
    )
    assert s.ports.web == 9000 and s.ports.rasa == 6000 and s.rasa_url == "http://127.0.0.1:6000"
    assert s.edge.origins == {"https://clinic.example", "https://a.example"}
    assert s.staff.refresh_seconds == 5 and not s.staff.outbox_in_web
    assert s.staff.session.idle == dt.timedelta(minutes=7) and s.staff.session.cookie_secure == "true"
    assert s.notify.base_url == "http://127.0.0.1:9000" and s.notify.channels == ["email", "webhook"]
    assert s.notify.smtp.port == 465 and s.notify.smtp.recipients == ("a@b", "c@d")
    assert s.worker.poll_seconds == 0.5 and s.worker.purge_seconds == 60.0 and s.action_token == "s3cret"
