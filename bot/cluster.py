"""`make run-cluster`: the scaled topology on one machine, behind nginx, kept alive by supervisor.

    nginx 127.0.0.1:5005 -> N Rasa servers   (REST channel + HTTP API; tracker store on PostgreSQL,
                                              lock store on Redis, so any replica can take any turn)
    nginx 127.0.0.1:5055 -> N action servers (Rasa calls its actions through this upstream)
    nginx 127.0.0.1:8080 -> N web apps       (visitor page, /chat relay to :5005, staff dashboard)
    M outbox workers (`python -m bot worker`; the web apps run one each too; claims are atomic)

Pure infrastructure (no Rasa imports): settings read once from the environment, the nginx,
supervisor and Rasa endpoints configs rendered from them into var/cluster/, and a handle that
runs supervisord in the foreground. If a process dies, supervisor restarts it; Ctrl-C stops all.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

from bot.settings import ROOT, load_dotenv

HOST = "127.0.0.1"

# The project's own stores (rasa_plugins/): Rasa's SQL tracker store made lean (pooled engine, no COUNT
# per save, batched inserts) and a Redis lock store that is atomic across processes (Rasa 3.6's is not:
# RasaHQ/rasa#9213). docs/performance.md has the measurements.
TRACKER_STORE_TYPE = "rasa_plugins.tracker_store.LeanSQLTrackerStore"
LOCK_STORE_TYPE = "rasa_plugins.lock_store.AtomicRedisLockStore"

# Every Sanic server in the cluster (Rasa, action servers, web apps) keeps idle keep-alive connections
# for 120 s. Why: rasa-sdk's Sanic closes an idle keep-alive connection after 5 s by default, while
# Rasa's aiohttp client (and nginx's upstream pool) reuse idle connections for longer; a turn sent on
# a connection the server is closing fails with "Cannot write to closing transport". The server must
# keep connections alive longer than its clients reuse them (nginx: 60 s, below).
SANIC_KEEP_ALIVE_TIMEOUT = "120"
UPSTREAM_KEEPALIVE_TIMEOUT_S = 60
# Idle connections nginx keeps per upstream: enough for every turn in flight at hundreds of visitors, so a
# busy Rasa server is not asked to accept new connections (which it does slowly while its loop is busy).
UPSTREAM_KEEPALIVE = 64
# Each Rasa replica runs TensorFlow with one thread of each kind: replicas, not threads, use the cores, and
# N replicas each starting a thread per core would fight over them.
TF_THREADS = {"TF_INTER_OP_PARALLELISM_THREADS": "1", "TF_INTRA_OP_PARALLELISM_THREADS": "1"}


def _ints(raw: str) -> Tuple[int, ...]:
    return tuple(int(p) for p in raw.split(",") if p.strip())


@dataclass(frozen=True)
class ClusterSettings:
    """Sizes, ports and addresses of the cluster. Read once, in `from_env`; defaults fit this 2-core machine."""

    rasa_ports: Tuple[int, ...]          # one per Rasa server process
    action_ports: Tuple[int, ...]        # one per action server process
    web_ports: Tuple[int, ...]           # one per web app process
    workers: int = 1                     # standalone outbox workers (each web app also runs one)
    public_rasa_port: int = 5005         # nginx: Rasa REST channel and HTTP API
    public_web_port: int = 8080          # nginx: web app
    action_lb_port: int = 5055           # nginx: action servers (Rasa's action_endpoint)
    database_url: str = "postgresql://postgres@127.0.0.1:5432/screening_cluster"
    redis_url: str = "redis://127.0.0.1:6379/0"
    lock_lifetime_s: int = 20            # a lock left by a killed Rasa blocks its conversation this long
    nginx_workers: int = 1
    directory: Path = ROOT / "var" / "cluster"
    model: Path = ROOT / "models" / "screening.tar.gz"

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> ClusterSettings:
        """CLUSTER_* variables; backend ports are CLUSTER_PORT_BASE + offsets unless listed explicitly."""
        env = os.environ if env is None else env
        base = int(env.get("CLUSTER_PORT_BASE") or 15100)

        def ports(name: str, count_default: int, offset: int) -> Tuple[int, ...]:
            if env.get(f"CLUSTER_{name}_PORTS"):
                return _ints(env[f"CLUSTER_{name}_PORTS"])
            count = int(env.get(f"CLUSTER_{name}_REPLICAS") or count_default)
            return tuple(base + offset + i for i in range(count))

        return cls(
            rasa_ports=ports("RASA", 2, 0),
            action_ports=ports("ACTION", 2, 20),
            web_ports=ports("WEB", 2, 40),
            workers=int(env.get("CLUSTER_WORKERS") or 1),
            public_rasa_port=int(env.get("CLUSTER_RASA_PORT") or 5005),
            public_web_port=int(env.get("CLUSTER_WEB_PORT") or 8080),
            action_lb_port=int(env.get("CLUSTER_ACTION_PORT") or 5055),
            database_url=env.get("CLUSTER_DATABASE_URL") or cls.database_url,
            redis_url=env.get("CLUSTER_REDIS_URL") or cls.redis_url,
            lock_lifetime_s=int(env.get("CLUSTER_LOCK_LIFETIME") or 20),
            nginx_workers=int(env.get("CLUSTER_NGINX_WORKERS") or 1),
            directory=Path(env.get("CLUSTER_DIR") or cls.directory),
            model=Path(env.get("CLUSTER_MODEL") or cls.model),
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


# ---- rendering ------------------------------------------------------------------------------------
def _upstream(name: str, addresses: Tuple[str, ...]) -> str:
    servers = "\n".join(f"        server {a} max_fails=3 fail_timeout=5s;" for a in addresses)
    return (f"    upstream {name} {{\n{servers}\n"
            f"        keepalive {UPSTREAM_KEEPALIVE};\n        keepalive_timeout {UPSTREAM_KEEPALIVE_TIMEOUT_S}s;\n    }}\n")


def _owner(path: Path) -> str:
    import pwd

    probe = path if path.exists() else ROOT
    return pwd.getpwuid(probe.stat().st_uid).pw_name


def render_nginx(s: ClusterSettings, deploy: bool = False) -> str:
    """nginx.conf: three listeners, passive health checks, retry only where no request reached a dead server.

    `deploy`: the same file for deploy/compose.yml (service names, which Docker resolves to every replica).
    """
    if deploy:
        d, logs, listen = Path("/tmp/nginx"), "/dev/stderr", "0.0.0.0"
        ups: Dict[str, Tuple[str, ...]] = {"rasa": ("rasa:5005",), "actions": ("actions:5055",), "web": ("web:8080",)}
        ports = (5005, 5055, 8080)
    else:
        d, logs, listen = s.directory, f"{s.directory}/logs/nginx-error.log", HOST
        ups = {name: tuple(f"{HOST}:{p}" for p in ps)
               for name, ps in (("rasa", s.rasa_ports), ("actions", s.action_ports), ("web", s.web_ports))}
        ports = (s.public_rasa_port, s.action_lb_port, s.public_web_port)
    # Started as root, nginx would run its workers as `nobody`, who cannot write the temp paths under
    # var/cluster/: run them as the folder's owner instead.
    user = f"user {_owner(d)};\n" if not deploy and os.geteuid() == 0 else ""
    return f"""# Generated by bot/cluster.py from the CLUSTER_* settings; do not edit (make run-cluster rewrites it).
{user}worker_processes {s.nginx_workers};
worker_rlimit_nofile 16384;
pid {d}/nginx.pid;
error_log {logs} warn;
daemon off;   # supervisor (or the container runtime) runs and restarts it

events {{
    # Each visitor's turn holds up to six connections (visitor, web app, Rasa and action hops, each in and out):
    # with 1024, 200 visitors made nginx close idle upstream connections Rasa was about to reuse.
    worker_connections 8192;
}}

http {{
    client_body_temp_path {d}/nginx-tmp/body;
    proxy_temp_path {d}/nginx-tmp/proxy;
    fastcgi_temp_path {d}/nginx-tmp/fastcgi;
    uwsgi_temp_path {d}/nginx-tmp/uwsgi;
    scgi_temp_path {d}/nginx-tmp/scgi;
    # No access log: Rasa's API paths carry conversation ids, and the chat must leave no trail here.
    access_log off;
    client_max_body_size 16m;        # an action call carries the whole tracker
    client_body_buffer_size 1m;      # ... and fits in memory: no temp file

    # Passive health checks: 3 failures within 5 s take a server out for 5 s (then it is tried again). A dead
    # server refuses connections at once and the request goes to the next one (proxy_next_upstream error);
    # a busy one is slow to accept, which must not take it out: with max_fails=1 and a 2 s connect timeout,
    # 200 visitors at once had both Rasa servers out at times and 76 turns got "no live upstreams".
{"".join(_upstream(name, servers) for name, servers in ups.items())}
    proxy_http_version 1.1;          # keep-alive to the upstreams
    proxy_set_header Connection "";
    proxy_set_header Host $http_host; # the web app compares Origin with its own host
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_connect_timeout 10s;
    proxy_read_timeout 60s;
    # Retry on the next server only on a connection error or connect timeout. nginx never passes a
    # POST (a chat turn, an action call) to a second server once the first one received it (we do not
    # add `non_idempotent`), so a turn is never processed twice: a server that dies mid-turn gives that
    # one request a 502 and the visitor a "please try again"; a server that is already dead is skipped.
    proxy_next_upstream error timeout;
    proxy_next_upstream_tries 3;

    server {{   # Rasa: REST channel and HTTP API
        listen {listen}:{ports[0]};
        location / {{ proxy_pass http://rasa; }}
    }}
    server {{   # action servers, for Rasa's action_endpoint
        listen {listen}:{ports[1]};
        location / {{ proxy_pass http://actions; }}
    }}
    server {{   # web app: visitor page, /chat relay, staff dashboard
        listen {listen}:{ports[2]};
        location / {{ proxy_pass http://web; }}
    }}
}}
"""


def render_endpoints(s: ClusterSettings, placeholders: bool = False) -> str:
    """Rasa endpoints: actions through nginx, trackers in PostgreSQL, locks in Redis.

    With `placeholders`, values are ${VARS} that Rasa fills from the environment (deploy/ uses that).
    """
    if placeholders:
        action_url, db = "${ACTION_ENDPOINT_URL}", dict(host="${DB_HOST}", port="${DB_PORT}", name="${DB_NAME}",
                                                        user="${DB_USER}", password="${DB_PASSWORD}")
        redis = dict(host="${REDIS_HOST}", port="${REDIS_PORT}", db="${REDIS_DB}")
        lifetime = "${TICKET_LOCK_LIFETIME}"
    else:
        u = urllib.parse.urlsplit(s.database_url)
        r = urllib.parse.urlsplit(s.redis_url)
        action_url = f"{s.action_url}/webhook"
        db = dict(host=u.hostname or HOST, port=str(u.port or 5432), name=u.path.lstrip("/"),
                  user=urllib.parse.unquote(u.username or "postgres"), password=urllib.parse.unquote(u.password or ""))
        redis = dict(host=r.hostname or HOST, port=str(r.port or 6379), db=(r.path.lstrip("/") or "0"))
        lifetime = str(s.lock_lifetime_s)
    lines = [
        "# Generated by bot/cluster.py (make run-cluster / deploy-check); do not edit.",
        "action_endpoint:",
        f"  url: {_yaml_value(action_url)}",
        "  enable_selective_domain: true",
        "  token: ${ACTION_SERVER_TOKEN}  # the shared secret actions/server.py checks on every call",
        "tracker_store:",
        f"  type: {TRACKER_STORE_TYPE}",
        '  dialect: "postgresql"',
        f"  url: {_yaml_value(db['host'])}",
        f"  port: {_yaml_value(db['port'])}",
        f"  db: {_yaml_value(db['name'])}",
        f"  username: {_yaml_value(db['user'])}",
    ]
    if db["password"]:
        lines.append(f"  password: {_yaml_value(db['password'])}")
    lines += [
        "lock_store:",
        f"  type: {LOCK_STORE_TYPE}",
        f"  url: {_yaml_value(redis['host'])}",
        f"  port: {_yaml_value(redis['port'])}",
        f"  db: {_yaml_value(redis['db'])}",
        '  key_prefix: "screening"',
    ]
    if LOCK_STORE_TYPE != "redis":  # the built-in one reads TICKET_LOCK_LIFETIME from the environment instead
        lines.append(f"  lock_lifetime: {_yaml_value(lifetime)}")
    return "\n".join(lines) + "\n"


def _yaml_value(value: str) -> str:
    """A ${VAR} stays a plain scalar, because Rasa substitutes environment variables only in unquoted
    YAML values (a quoted "${VAR}" is read literally); anything else is quoted (JSON is valid YAML)."""
    return value if re.fullmatch(r"\$\{[A-Z_][A-Z0-9_]*\}", value) else json.dumps(value)


def _esc(value: str) -> str:
    """A value for supervisor's config: '%' is its expansion character."""
    return value.replace("%", "%%")


def _env(values: Dict[str, str]) -> str:
    return ",".join(f'{k}="{_esc(v)}"' for k, v in values.items())


def programs(s: ClusterSettings) -> Dict[str, Tuple[str, Dict[str, str]]]:
    """Program name -> (command line, extra environment). The token comes from supervisord's environment."""
    py, rasa = sys.executable, str(Path(sys.executable).parent / "rasa")
    d = s.directory
    out: Dict[str, Tuple[str, Dict[str, str]]] = {
        "nginx": (f"{shutil.which('nginx') or '/usr/sbin/nginx'} -p {d} -e {d}/logs/nginx-error.log -c {d}/nginx.conf", {}),
    }
    keep_alive = {"SANIC_KEEP_ALIVE_TIMEOUT": SANIC_KEEP_ALIVE_TIMEOUT}
    for i, port in enumerate(s.action_ports, 1):
        out[f"actions-{i}"] = (f"{py} -m actions.server --actions actions -p {port}", dict(keep_alive))
    for i, port in enumerate(s.rasa_ports, 1):
        out[f"rasa-{i}"] = (
            f"{rasa} run --enable-api --auth-token=%(ENV_RASA_AUTH_TOKEN)s -i {HOST} -p {port} "
            f"--model {shlex.quote(str(s.model))} --endpoints {d}/endpoints.yml --credentials {ROOT}/credentials.yml",
            dict(keep_alive, **TF_THREADS, TICKET_LOCK_LIFETIME=str(s.lock_lifetime_s)))
    for i, port in enumerate(s.web_ports, 1):
        out[f"web-{i}"] = (f"{py} -m bot.web", dict(keep_alive, WEB_PORT=str(port)))
    for i in range(1, s.workers + 1):
        out[f"worker-{i}"] = (f"{py} -m bot worker", {})
    return out


def render_supervisor(s: ClusterSettings) -> str:
    """supervisord.conf: every program restarted when it dies, logged to var/cluster/logs/<name>.log."""
    d = s.directory
    parts = [f"""; Generated by bot/cluster.py from the CLUSTER_* settings; do not edit.
[unix_http_server]
file={d}/supervisor.sock
chmod=0700

[supervisord]
nodaemon=true
logfile={d}/logs/supervisord.log
pidfile={d}/supervisord.pid
childlogdir={d}/logs

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{d}/supervisor.sock
"""]
    for name, (command, env) in programs(s).items():
        priority = {"nginx": 10, "actions": 20, "rasa": 30}.get(name.split("-")[0], 40)
        parts.append(f"""[program:{name}]
command={command}
directory={ROOT}
priority={priority}
autostart=true
autorestart=true
startsecs=3
startretries=100
stopasgroup=true
killasgroup=true
stopwaitsecs=15
redirect_stderr=true
stdout_logfile={d}/logs/{name}.log
stdout_logfile_maxbytes=10MB
stdout_logfile_backups=2
""" + (f"environment={_env(env)}\n" if env else ""))
    return "\n".join(parts)


def process_env(s: ClusterSettings, token: str, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The environment supervisord (and so every program) gets."""
    env = dict(os.environ)
    env.update({
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        "RASA_AUTH_TOKEN": token,
        "DATABASE_URL": s.database_url,
        "RASA_URL": s.rasa_url,                        # the web apps relay /chat through nginx
        "ACTION_ENDPOINT_URL": f"{s.action_url}/webhook",
        "SANIC_HOST": HOST,
        # Rate limits shared by every web process (bot/web/edge.py), in the same Redis as the locks.
        "RATE_LIMIT_STORAGE": s.redis_url,
    })
    if not env.get("ACTION_SERVER_TOKEN"):  # tests: a secret for this cluster run only
        env["ACTION_SERVER_TOKEN"] = secrets.token_hex(24)
    env.update(extra or {})
    return env


def write_configs(s: ClusterSettings) -> None:
    for sub in ("logs", "nginx-tmp"):
        (s.directory / sub).mkdir(parents=True, exist_ok=True)
    (s.directory / "nginx.conf").write_text(render_nginx(s), encoding="utf-8")
    (s.directory / "endpoints.yml").write_text(render_endpoints(s), encoding="utf-8")
    conf = s.directory / "supervisord.conf"
    conf.write_text(render_supervisor(s), encoding="utf-8")
    for path in (conf, s.directory / "endpoints.yml"):
        path.chmod(0o600)


# ---- shared state ----------------------------------------------------------------------------------
def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database if missing, then the lead/staff/outbox schema (once, before the processes)."""
    import psycopg2
    from psycopg2 import sql

    u = urllib.parse.urlsplit(database_url)
    name = u.path.lstrip("/")
    try:
        conn = psycopg2.connect(host=u.hostname or HOST, port=u.port or 5432, user=urllib.parse.unquote(u.username or "postgres"),
                                password=urllib.parse.unquote(u.password or "") or None, dbname="postgres", connect_timeout=5)
    except psycopg2.OperationalError as exc:
        raise RuntimeError(f"PostgreSQL at {u.hostname}:{u.port or 5432} (CLUSTER_DATABASE_URL) does not answer: "
                           f"{str(exc).strip().splitlines()[0]}") from exc
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    from bot.infra.db import make_engine
    from bot.schema import create_schema

    engine = make_engine(database_url)
    try:
        create_schema(engine)
    finally:
        engine.dispose()


def check_redis(redis_url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"Redis at {redis_url} (CLUSTER_REDIS_URL) does not answer: {exc}") from exc


# ---- running ---------------------------------------------------------------------------------------
class Cluster:
    """supervisord with every program; `start`, `wait_ready`, `pids`, `stop`. Tests use it on free ports."""

    def __init__(self, settings: ClusterSettings, token: str, env: Optional[Mapping[str, str]] = None,
                 quiet: bool = False) -> None:
        self.settings, self.token, self.quiet = settings, token, quiet
        self.env = process_env(settings, token, env)
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        s = self.settings
        if not s.model.exists():
            raise RuntimeError(f"no trained model at {s.model}: run `make train`")
        ensure_database(s.database_url)
        check_redis(s.redis_url)
        write_configs(s)
        out = subprocess.DEVNULL if self.quiet else None
        self.proc = subprocess.Popen([str(Path(sys.executable).parent / "supervisord"), "-n", "-c",
                                      str(s.directory / "supervisord.conf")],
                                     cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=self.quiet)

    def rpc(self):
        from supervisor.xmlrpc import SupervisorTransport

        transport = SupervisorTransport(None, None, f"unix://{self.settings.directory}/supervisor.sock")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor

    def info(self) -> Dict[str, dict]:
        return {p["name"]: p for p in self.rpc().getAllProcessInfo()}

    def pids(self) -> Dict[str, int]:
        return {name: p["pid"] for name, p in self.info().items()}

    def health_urls(self) -> Dict[str, str]:
        s = self.settings
        # Rasa's "/" (no token: a token in a URL would land in nginx's error log); it answers once the model is loaded.
        urls = {f"rasa-{i}": f"http://{HOST}:{p}/" for i, p in enumerate(s.rasa_ports, 1)}
        urls.update({f"actions-{i}": f"http://{HOST}:{p}/health" for i, p in enumerate(s.action_ports, 1)})
        urls.update({f"web-{i}": f"http://{HOST}:{p}/healthz" for i, p in enumerate(s.web_ports, 1)})
        urls.update({"nginx rasa": f"{s.rasa_url}/", "nginx web": f"{s.web_url}/healthz",
                     "nginx actions": f"{s.action_url}/health"})
        return urls

    @staticmethod
    def answers(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=3) as resp:
                return resp.status == 200
        except Exception:
            return False

    def wait_ready(self, timeout: float = 300, names: Optional[List[str]] = None, abort=lambda: False) -> None:
        """Until every backend and every nginx listener answers; raise naming the ones that do not."""
        urls = self.health_urls()
        pending = [n for n in urls if names is None or n in names]
        deadline = time.time() + timeout
        while pending:
            if abort():
                raise RuntimeError("stopped before the cluster was up")
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError(f"supervisord exited with {self.proc.returncode}; see {self.settings.directory}/logs/")
            pending = [n for n in pending if not self.answers(urls[n])]
            if pending and time.time() > deadline:
                raise RuntimeError(f"not answering after {timeout:.0f}s: {', '.join(pending)}; "
                                   f"see {self.settings.directory}/logs/<name>.log")
            if pending:
                time.sleep(0.5)

    def stop(self, timeout: float = 40) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # supervisord stops every program (process groups), then exits
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main() -> int:
    """`make run-cluster`: render the configs, start supervisord in the foreground, print the URLs."""
    from bot.runner import ensure_token, prepare_start, stop_on_signals

    load_dotenv()
    if not prepare_start():
        return 2
    settings = ClusterSettings.from_env()
    cluster = Cluster(settings, ensure_token())
    stopping = stop_on_signals()
    try:
        cluster.start()
        cluster.wait_ready(abort=stopping.is_set)
    except Exception as exc:  # noqa: BLE001 - start-up failure: say what, stop what started
        cluster.stop()
        print(f"\nCluster start-up failed: {exc}", file=sys.stderr)
        return 1
    s = settings
    print(f"\nCluster up ({len(s.rasa_ports)} Rasa, {len(s.action_ports)} action servers, {len(s.web_ports)} web apps, "
          f"{s.workers} outbox worker(s), nginx; supervisor restarts any that dies):\n"
          f"  web app (visitor page, staff dashboard at /staff): {s.web_url}/\n"
          f"  Rasa (REST channel; HTTP API with the token in .env): {s.rasa_url}\n"
          f"  logs: {s.directory}/logs/   status: {Path(sys.executable).parent}/supervisorctl -c {s.directory}/supervisord.conf status\n"
          "Press Ctrl-C to stop all.\n", flush=True)
    while not stopping.is_set() and cluster.proc and cluster.proc.poll() is None:
        time.sleep(0.5)
    print("\nStopping the cluster...", flush=True)
    cluster.stop()
    return 0


def deploy_files() -> Dict[Path, str]:
    """deploy/endpoints.yml and deploy/nginx.conf: the same renderings as run-cluster's, for containers."""
    s = ClusterSettings.from_env({})
    return {ROOT / "deploy" / "endpoints.yml": render_endpoints(s, placeholders=True),
            ROOT / "deploy" / "nginx.conf": render_nginx(s, deploy=True)}


def render_deploy(check: bool) -> int:
    """Write the deploy/ renderings; with --check, fail if one is out of date."""
    for path, text in deploy_files().items():
        if not check:
            path.write_text(text, encoding="utf-8")
        elif not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"error: {path.relative_to(ROOT)} is out of date: run `python -m bot.cluster render-deploy`", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["render-deploy"]:
        sys.exit(render_deploy("--check" in sys.argv[2:]))
    sys.exit(main())
