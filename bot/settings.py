"""Settings, read once at start-up from the environment (and the git-ignored .env written by `make run`).

Why one module: every variable the project reads is named here, with its default, in one place.
`Settings.from_env()` is called by each entry point (web app, CLI, runner, cluster, action server);
the modules below it receive the settings object (or its section) as a parameter and never read the
environment themselves (tests/unit/test_settings.py checks). `from_env(env)` on a mapping is the test hook.
Exceptions, each commented where it is: load_dotenv and ensure_env_value (they fill the environment),
the runner and the cluster (they copy it for their child processes), key rotation (it writes the new
key list), and bot/infra/crypto.py (the key is re-read after an in-process rotation).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, FrozenSet, Iterator, Mapping, Optional, TextIO, Tuple

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # every server binds here unless a setting says otherwise


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
    """Put KEY=VALUE lines of .env into the process environment unless already set (the environment wins)."""
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


def _first(env: Mapping[str, str], name: str, default):
    """env[name] converted to the default's type, or the default when unset or empty."""
    raw = env.get(name)
    if raw is None or not str(raw).strip():
        return default
    return type(default)(raw)


def _port_origins(port: str) -> str:
    return f"http://127.0.0.1:{port},http://localhost:{port}"


def parse_origins(raw: Optional[str]) -> FrozenSet[str]:
    """A comma-separated list of origins such as https://clinic.example, normalised."""
    return frozenset(item.strip().rstrip("/").lower() for item in (raw or "").split(",") if item.strip())


@dataclass(frozen=True)
class Ports:
    """The three servers of `make run` (the runner passes them on to its children)."""

    rasa: int = 5005  # RASA_PORT: Rasa server (REST channel, HTTP API); private
    action: int = 5055  # ACTION_PORT: action server; private
    web: int = 8080  # WEB_PORT: web app (visitor page, /chat relay, dashboard, API); the public one

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Ports:
        return cls(
            rasa=_first(env, "RASA_PORT", cls.rasa),
            action=_first(env, "ACTION_PORT", cls.action),
            web=_first(env, "WEB_PORT", cls.web),
        )


@dataclass(frozen=True)
class EdgeSettings:
    """Limits at the public edge (bot/web/edge.py); documented in docs/security.md."""

    chat_limit_conversation: str = "30/minute"  # CHAT_RATE_LIMIT_CONVERSATION: turns per conversation
    chat_limit_ip: str = "120/minute"  # CHAT_RATE_LIMIT_IP: turns per client IP
    login_limit_ip: str = "10/minute"  # LOGIN_RATE_LIMIT_IP: staff login attempts per client IP
    storage: str = "memory://"  # RATE_LIMIT_STORAGE: e.g. redis:// shared by replicas
    trusted_proxies: int = 0  # TRUSTED_PROXIES: proxy hops in front that append to X-Forwarded-For
    frame_ancestors: str = "'self'"  # FRAME_ANCESTORS: who may frame the visitor page
    # PUBLIC_ORIGIN (else the web port on 127.0.0.1 and localhost) plus ALLOWED_ORIGINS: who may call /chat
    origins: FrozenSet[str] = frozenset({"http://127.0.0.1:8080", "http://localhost:8080"})

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> EdgeSettings:
        public = env.get("PUBLIC_ORIGIN")
        own = parse_origins(public or _port_origins(env.get("WEB_PORT") or str(Ports.web)))
        return cls(
            chat_limit_conversation=_first(env, "CHAT_RATE_LIMIT_CONVERSATION", cls.chat_limit_conversation),
            chat_limit_ip=_first(env, "CHAT_RATE_LIMIT_IP", cls.chat_limit_ip),
            login_limit_ip=_first(env, "LOGIN_RATE_LIMIT_IP", cls.login_limit_ip),
            storage=_first(env, "RATE_LIMIT_STORAGE", cls.storage),
            trusted_proxies=_first(env, "TRUSTED_PROXIES", cls.trusted_proxies),
            frame_ancestors=_first(env, "FRAME_ANCESTORS", cls.frame_ancestors).strip(),
            origins=own | parse_origins(env.get("ALLOWED_ORIGINS")),
        )


@dataclass(frozen=True)
class SessionConfig:
    """Staff dashboard sessions and login lockout (bot/staff/auth.py)."""

    lifetime: dt.timedelta = dt.timedelta(hours=12)  # STAFF_SESSION_MINUTES: a session's whole life
    idle: dt.timedelta = dt.timedelta(minutes=60)  # STAFF_SESSION_IDLE_MINUTES: ended after this long unused
    cookie_secure: str = "auto"  # STAFF_COOKIE_SECURE: auto (when the request is https) / true / false
    max_failures: int = 5  # STAFF_LOGIN_MAX_FAILURES: failed logins before the lockout
    lockout: dt.timedelta = dt.timedelta(minutes=15)  # STAFF_LOGIN_LOCKOUT_MINUTES: how long the lockout lasts

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SessionConfig:
        def minutes(name: str, default: dt.timedelta) -> dt.timedelta:
            return dt.timedelta(minutes=_first(env, name, default.total_seconds() / 60))

        return cls(
            lifetime=minutes("STAFF_SESSION_MINUTES", cls.lifetime),
            idle=minutes("STAFF_SESSION_IDLE_MINUTES", cls.idle),
            cookie_secure=_first(env, "STAFF_COOKIE_SECURE", cls.cookie_secure).lower(),
            max_failures=_first(env, "STAFF_LOGIN_MAX_FAILURES", cls.max_failures),
            lockout=minutes("STAFF_LOGIN_LOCKOUT_MINUTES", cls.lockout),
        )


@dataclass(frozen=True)
class StaffSettings:
    """The dashboard (bot/web/staff.py)."""

    session: SessionConfig = field(default_factory=SessionConfig)
    refresh_seconds: int = 30  # STAFF_REFRESH_SECONDS: the lead list reloads itself this often
    outbox_in_web: bool = True  # OUTBOX_IN_WEB: 0 when standalone workers (`python -m bot worker`) deliver instead

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StaffSettings:
        return cls(
            session=SessionConfig.from_env(env),
            refresh_seconds=_first(env, "STAFF_REFRESH_SECONDS", cls.refresh_seconds),
            outbox_in_web=(env.get("OUTBOX_IN_WEB") or "1") != "0",
        )


@dataclass(frozen=True)
class SmtpConfig:
    host: str  # SMTP_HOST: email is used only with SMTP_HOST and SMTP_TO
    port: int  # SMTP_PORT: else 587 / 465 / 25 by security
    security: str  # SMTP_SECURITY: starttls (default) / tls / none
    username: str  # SMTP_USERNAME
    password: str  # SMTP_PASSWORD
    sender: str  # SMTP_FROM: else screening-bot@localhost
    recipients: Tuple[str, ...]  # SMTP_TO: comma-separated
    timeout: float = 20.0  # SMTP_TIMEOUT: seconds
    validate_certs: bool = True  # SMTP_VALIDATE_CERTS: false only for a test server
    ca_file: str = ""  # SMTP_CA_FILE: a private CA's certificate

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Optional[SmtpConfig]:
        """None (email off) unless both SMTP_HOST and SMTP_TO are set."""
        recipients = tuple(r.strip() for r in (env.get("SMTP_TO") or "").split(",") if r.strip())
        if not env.get("SMTP_HOST") or not recipients:
            return None
        security = (env.get("SMTP_SECURITY") or "starttls").lower()
        if security not in ("starttls", "tls", "none"):
            raise ValueError(f"SMTP_SECURITY must be starttls, tls or none, got {security!r}")
        return cls(
            host=env["SMTP_HOST"],
            port=_first(env, "SMTP_PORT", {"starttls": 587, "tls": 465, "none": 25}[security]),
            security=security,
            username=env.get("SMTP_USERNAME", ""),
            password=env.get("SMTP_PASSWORD", ""),
            sender=env.get("SMTP_FROM") or "screening-bot@localhost",
            recipients=recipients,
            timeout=_first(env, "SMTP_TIMEOUT", cls.timeout),
            validate_certs=(env.get("SMTP_VALIDATE_CERTS", "true").lower() != "false"),
            ca_file=env.get("SMTP_CA_FILE", cls.ca_file),
        )


@dataclass(frozen=True)
class NotifyConfig:
    """Staff notifications (bot/leads/notify.py); a channel whose settings are missing is simply not used."""

    base_url: str  # STAFF_BASE_URL: the dashboard's address in a notice; else http://127.0.0.1:WEB_PORT
    smtp: Optional[SmtpConfig] = None  # SMTP_*: see SmtpConfig
    webhook_url: str = ""  # WEBHOOK_URL: the webhook channel is used only when set
    webhook_secret: str = ""  # WEBHOOK_SECRET: HMAC key for the signature header
    webhook_timeout: float = 10.0  # WEBHOOK_TIMEOUT: seconds

    @property
    def channels(self) -> list:
        return (["email"] if self.smtp else []) + (["webhook"] if self.webhook_url else [])

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> NotifyConfig:
        base = env.get("STAFF_BASE_URL") or f"http://127.0.0.1:{env.get('WEB_PORT') or Ports.web}"
        return cls(
            base_url=base.rstrip("/"),
            smtp=SmtpConfig.from_env(env),
            webhook_url=env.get("WEBHOOK_URL", cls.webhook_url),
            webhook_secret=env.get("WEBHOOK_SECRET", cls.webhook_secret),
            webhook_timeout=_first(env, "WEBHOOK_TIMEOUT", cls.webhook_timeout),
        )


@dataclass(frozen=True)
class WorkerConfig:
    """The background worker (bot/leads/outbox.py, bot/leads/worker.py): outbox delivery and retention purge."""

    poll_seconds: float = 2.0  # OUTBOX_POLL_SECONDS: how often an idle worker looks for due rows
    lease_seconds: float = 120.0  # OUTBOX_LEASE_SECONDS: must exceed the SMTP and webhook timeouts
    retry_base_seconds: float = 10.0  # OUTBOX_RETRY_BASE_SECONDS: first retry delay, doubled per attempt
    retry_max_seconds: float = 900.0  # OUTBOX_RETRY_MAX_SECONDS: the longest retry delay
    purge_seconds: float = 3600.0  # RETENTION_PURGE_SECONDS: how often expired leads are purged

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WorkerConfig:
        return cls(
            poll_seconds=_first(env, "OUTBOX_POLL_SECONDS", cls.poll_seconds),
            lease_seconds=_first(env, "OUTBOX_LEASE_SECONDS", cls.lease_seconds),
            retry_base_seconds=_first(env, "OUTBOX_RETRY_BASE_SECONDS", cls.retry_base_seconds),
            retry_max_seconds=_first(env, "OUTBOX_RETRY_MAX_SECONDS", cls.retry_max_seconds),
            purge_seconds=_first(env, "RETENTION_PURGE_SECONDS", cls.purge_seconds),
        )

    def backoff(self, attempts: int) -> float:
        return min(self.retry_base_seconds * (2 ** max(attempts - 1, 0)), self.retry_max_seconds)


def _ints(raw: str) -> Tuple[int, ...]:
    return tuple(int(p) for p in raw.split(",") if p.strip())


@dataclass(frozen=True)
class ClusterSettings:
    """Sizes, ports and addresses of `make run-cluster` (bot/cluster.py); defaults fit this 2-core machine."""

    rasa_ports: Tuple[int, ...]  # CLUSTER_RASA_PORTS, else CLUSTER_RASA_REPLICAS (2) from CLUSTER_PORT_BASE
    action_ports: Tuple[int, ...]  # CLUSTER_ACTION_PORTS, else CLUSTER_ACTION_REPLICAS (2) from the base + 20
    web_ports: Tuple[int, ...]  # CLUSTER_WEB_PORTS, else CLUSTER_WEB_REPLICAS (2) from the base + 40
    workers: int = 1  # CLUSTER_WORKERS: standalone outbox workers (each web app also runs one)
    public_rasa_port: int = 5005  # CLUSTER_RASA_PORT: nginx: Rasa REST channel and HTTP API
    public_web_port: int = 8080  # CLUSTER_WEB_PORT: nginx: web app
    action_lb_port: int = 5055  # CLUSTER_ACTION_PORT: nginx: action servers (Rasa's action_endpoint)
    database_url: str = "postgresql://postgres@127.0.0.1:5432/screening_cluster"  # CLUSTER_DATABASE_URL
    redis_url: str = "redis://127.0.0.1:6379/0"  # CLUSTER_REDIS_URL: lock store and shared rate limits
    lock_lifetime_s: int = 20  # CLUSTER_LOCK_LIFETIME: a lock left by a killed Rasa blocks its conversation this long
    nginx_workers: int = 1  # CLUSTER_NGINX_WORKERS
    directory: Path = ROOT / "var" / "cluster"  # CLUSTER_DIR: rendered configs and logs
    model: Path = ROOT / "models" / "screening.tar.gz"  # CLUSTER_MODEL
    port_base: int = 15100  # CLUSTER_PORT_BASE: first backend port when not listed explicitly

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ClusterSettings:
        """CLUSTER_* variables; backend ports are CLUSTER_PORT_BASE + offsets unless listed explicitly."""
        base = _first(env, "CLUSTER_PORT_BASE", cls.port_base)

        def ports(name: str, count_default: int, offset: int) -> Tuple[int, ...]:
            if env.get(f"CLUSTER_{name}_PORTS"):
                return _ints(env[f"CLUSTER_{name}_PORTS"])
            count = int(env.get(f"CLUSTER_{name}_REPLICAS") or count_default)
            return tuple(base + offset + i for i in range(count))

        return cls(
            rasa_ports=ports("RASA", 2, 0),
            action_ports=ports("ACTION", 2, 20),
            web_ports=ports("WEB", 2, 40),
            workers=_first(env, "CLUSTER_WORKERS", cls.workers),
            public_rasa_port=_first(env, "CLUSTER_RASA_PORT", cls.public_rasa_port),
            public_web_port=_first(env, "CLUSTER_WEB_PORT", cls.public_web_port),
            action_lb_port=_first(env, "CLUSTER_ACTION_PORT", cls.action_lb_port),
            database_url=_first(env, "CLUSTER_DATABASE_URL", cls.database_url),
            redis_url=_first(env, "CLUSTER_REDIS_URL", cls.redis_url),
            lock_lifetime_s=_first(env, "CLUSTER_LOCK_LIFETIME", cls.lock_lifetime_s),
            nginx_workers=_first(env, "CLUSTER_NGINX_WORKERS", cls.nginx_workers),
            directory=Path(env.get("CLUSTER_DIR") or cls.directory),
            model=Path(env.get("CLUSTER_MODEL") or cls.model),
            port_base=base,
        )

    @property
    def rasa_url(self) -> str:
        return f"http://{HOST}:{self.public_rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://{HOST}:{self.public_web_port}"

    @property
    def action_url(self) -> str:
        return f"http://{HOST}:{self.action_lb_port}"

    def replace(self, **changes) -> ClusterSettings:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Settings:
    """Everything the project reads from the environment; built once per process by its entry point."""

    database_url: str  # DATABASE_URL: else sqlite:///var/leads.db
    policy_path: Path  # CLINIC_POLICY: else clinic_policy.yml
    rasa_url: str  # RASA_URL: the Rasa server the web app relays to; else http://127.0.0.1:RASA_PORT
    rasa_token: str  # RASA_AUTH_TOKEN: Rasa's HTTP API token (made on first run into .env)
    web_host: str = HOST  # WEB_HOST: 0.0.0.0 only inside a container (deploy/)
    action_token: str = ""  # ACTION_SERVER_TOKEN: the action server's shared secret (made on first run into .env)
    sanic_host: str = HOST  # SANIC_HOST: where the action server binds
    ports: Ports = field(default_factory=Ports)
    edge: EdgeSettings = field(default_factory=EdgeSettings)
    staff: StaffSettings = field(default_factory=StaffSettings)
    notify: NotifyConfig = field(default_factory=lambda: NotifyConfig(base_url=f"http://127.0.0.1:{Ports.web}"))
    worker: WorkerConfig = field(default_factory=WorkerConfig)
    cluster: ClusterSettings = field(default_factory=lambda: ClusterSettings.from_env({}))

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> Settings:
        """From `env` (tests), else from the process environment after loading .env (the entry points)."""
        if env is None:
            load_dotenv()
            env = os.environ  # env exception: the one read of the process environment
        ports = Ports.from_env(env)
        return cls(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'leads.db'}",
            policy_path=Path(env.get("CLINIC_POLICY") or ROOT / "clinic_policy.yml"),
            rasa_url=env.get("RASA_URL") or f"http://127.0.0.1:{ports.rasa}",
            rasa_token=env.get("RASA_AUTH_TOKEN", ""),
            web_host=_first(env, "WEB_HOST", HOST),
            action_token=env.get("ACTION_SERVER_TOKEN", ""),
            sanic_host=env.get("SANIC_HOST", HOST),
            ports=ports,
            edge=EdgeSettings.from_env(env),
            staff=StaffSettings.from_env(env),
            notify=NotifyConfig.from_env(env),
            worker=WorkerConfig.from_env(env),
            cluster=ClusterSettings.from_env(env),
        )
