"""Process runner for `make run`: Rasa server, action server and web app, started and kept running.

Prints the URLs once all three answer; Ctrl-C stops all three. A server that dies is restarted
with backoff, its name and exit status logged; only after repeated crashes in a short window does
the runner stop everything and exit non-zero naming it. Tests use the same `Stack` on free ports.
"""

from __future__ import annotations

import collections
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Deque, Dict, List, Optional

from bot.infra.db import private_dir, private_file
from bot.screening.lexicon import load_lexicon
from bot.screening.policy import PolicyError, load_policy
from bot.settings import HOST, ROOT, Settings, ensure_env_value

VENV_BIN = Path(sys.executable).parent


def ensure_token(env_file: Path = ROOT / ".env", name: str = "RASA_AUTH_TOKEN") -> str:
    """`name` (RASA_AUTH_TOKEN, ACTION_SERVER_TOKEN) from the environment, else from .env, else a new one written to .env."""
    # hex: never starts with "-", which a command line would read as a flag
    return ensure_env_value(name, lambda: secrets.token_hex(24), env_file)


# Restart policy: a crash is retried after 1, 2, 4 ... seconds (at most 30); more than
# MAX_CRASHES crashes of one server within CRASH_WINDOW_S seconds means it cannot run: give up.
MAX_CRASHES = 5
CRASH_WINDOW_S = 120.0
MAX_BACKOFF_S = 30.0


@dataclass
class Service:
    name: str
    argv: List[str]
    health_url: str
    process: Optional[subprocess.Popen] = None
    tail: Deque[str] = field(default_factory=lambda: collections.deque(maxlen=30))
    crashes: Deque[float] = field(default_factory=lambda: collections.deque(maxlen=50))
    restart_at: Optional[float] = None  # set while a crashed server waits out its backoff
    restarts: int = 0

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as resp:
                return resp.status == 200
        except Exception:
            return False


class Stack:
    """The three servers, configured by ports and environment."""

    def __init__(
        self,
        rasa_port: int = 5005,
        action_port: int = 5055,
        web_port: int = 8080,
        model: str = "models",
        env: Optional[Dict[str, str]] = None,
        quiet: bool = False,
        log_dir: Optional[Path] = None,
    ) -> None:
        self.token = ensure_token()  # the environment's, else .env's, else a new one
        # Rasa sends it on every action call (endpoints.yml); actions/server.py refuses calls without it.
        self.action_token = ensure_token(name="ACTION_SERVER_TOKEN")
        self.rasa_url = f"http://{HOST}:{rasa_port}"
        self.action_url = f"http://{HOST}:{action_port}"
        self.web_url = f"http://{HOST}:{web_port}"
        self.quiet = quiet
        self.log_dir = log_dir  # each server's whole output also goes to <log_dir>/<name>.log
        if log_dir:
            private_dir(log_dir.parent)
            private_dir(log_dir)
        self.env = dict(os.environ)  # env exception: the children inherit this environment, with the below on top
        self.env.update(
            {
                "RASA_TELEMETRY_ENABLED": "false",
                "SANIC_HOST": HOST,
                "RASA_AUTH_TOKEN": self.token,
                "ACTION_SERVER_TOKEN": self.action_token,
                # Every server keeps idle connections open for 120 s. Sanic's default is 5 s, while
                # Rasa's aiohttp client (to the action server) and the relay's httpx client (to Rasa)
                # reuse connections for longer: the server closed them under the client's feet and
                # the call failed ("Cannot write to closing transport"), losing the visitor's answer
                # under load. The clients' own keep-alive stays shorter than this.
                "SANIC_KEEP_ALIVE_TIMEOUT": "120",
                "RASA_PORT": str(rasa_port),
                "RASA_URL": self.rasa_url,
                "ACTION_ENDPOINT_URL": f"{self.action_url}/webhook",
                "WEB_PORT": str(web_port),
                "TRACKER_DB": self.env.get("TRACKER_DB") or str(ROOT / "var" / "tracker.db"),
                "PYTHONPATH": str(ROOT),
            }
        )
        self.env.update(env or {})
        # Owner-only: var/ 0700 and the tracker file 0600 (conversations hold health data in plain text).
        private_file(Path(self.env["TRACKER_DB"]))
        rasa = str(VENV_BIN / "rasa")
        self.services: Dict[str, Service] = {
            "action server": Service(
                "action server",
                [sys.executable, "-m", "actions.server", "--actions", "actions", "-p", str(action_port)],
                f"{self.action_url}/health",
            ),
            "rasa server": Service(
                "rasa server",
                [
                    rasa,
                    "run",
                    "--enable-api",
                    f"--auth-token={self.token}",
                    "-i",
                    HOST,
                    "-p",
                    str(rasa_port),
                    "--model",
                    str(ROOT / model) if not os.path.isabs(model) else model,
                    "--endpoints",
                    "endpoints.yml",
                    "--credentials",
                    "credentials.yml",
                ],
                f"{self.rasa_url}/status?token={self.token}",
            ),
            "web app": Service("web app", [sys.executable, "-m", "bot.web"], f"{self.web_url}/healthz"),
        }

    # --- processes --------------------------------------------------------------------------
    def start(self, only: Optional[str] = None) -> None:
        for name, service in self.services.items():
            if only and name != only:
                continue
            service.process = subprocess.Popen(
                service.argv,
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            threading.Thread(target=self._pump, args=(service,), daemon=True).start()

    def log_path(self, name: str) -> Optional[Path]:
        return self.log_dir / f"{name.replace(' ', '-')}.log" if self.log_dir else None

    def _pump(self, service: Service) -> None:
        assert service.process and service.process.stdout
        path = self.log_path(service.name)
        sink = path.open("a", encoding="utf-8") if path else None
        try:
            for line in service.process.stdout:
                service.tail.append(line.rstrip())
                if sink:
                    sink.write(line)
                    sink.flush()
                if not self.quiet:
                    sys.stdout.write(f"[{service.name}] {line}")
                    sys.stdout.flush()
        finally:
            if sink:
                sink.close()

    def stop(self, only: Optional[str] = None, timeout: float = 15) -> None:
        targets = [s.process for n, s in self.services.items() if (only is None or n == only) and s.process]
        for process in targets:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + timeout
        for process in targets:
            try:
                process.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()

    def supervise_once(self, log=print) -> Optional[Service]:
        """One supervision step: restart crashed servers with backoff; return one that keeps crashing."""
        now = time.time()
        for service in self.services.values():
            if service.restart_at is not None:
                if now >= service.restart_at:
                    service.restart_at = None
                    service.restarts += 1
                    self.start(only=service.name)
                    assert service.process is not None  # start() made it
                    log(f"[runner] {service.name} restarted (pid {service.process.pid}, restart {service.restarts})")
                continue
            if service.process is None or service.process.poll() is None:
                continue
            service.crashes.append(now)
            recent = [t for t in service.crashes if now - t <= CRASH_WINDOW_S]
            if len(recent) > MAX_CRASHES:
                return service
            delay = min(MAX_BACKOFF_S, 2.0 ** (len(recent) - 1))
            service.restart_at = now + delay
            log(
                f"[runner] {service.name} exited with status {service.process.returncode}; restarting in {delay:.0f}s "
                f"({len(recent)} crash(es) in the last {CRASH_WINDOW_S:.0f}s)"
            )
        return None

    def supervise_in_background(self, stop: threading.Event, interval: float = 0.5) -> threading.Thread:
        """Run `supervise_once` in a thread until `stop` is set (tests use this; `main` runs it inline)."""

        def loop() -> None:
            while not stop.wait(interval):
                if self.supervise_once(log=lambda m: self._log(m)) is not None:
                    return

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread

    def _log(self, message: str) -> None:
        if not self.quiet:
            print(message, flush=True)

    def dead(self) -> Optional[Service]:
        for service in self.services.values():
            if service.process and service.process.poll() is not None:
                return service
        return None

    def wait_ready(self, timeout: float = 240, only: Optional[str] = None, abort=lambda: False) -> None:
        """Block until every service answers its health URL; raise naming the one that died or hung."""
        deadline = time.time() + timeout
        pending = [s for n, s in self.services.items() if only is None or n == only]
        while pending:
            if abort():
                raise RuntimeError("stopped by Ctrl-C before all servers were up")
            dead = self.dead()
            if dead:
                raise RuntimeError(self.death_message(dead))
            pending = [s for s in pending if not s.healthy()]
            if not pending:
                return
            if time.time() > deadline:
                raise RuntimeError(
                    f"{pending[0].name} did not answer at {pending[0].health_url.split('?')[0]} within {timeout:.0f}s"
                )
            time.sleep(0.5)

    def death_message(self, service: Service) -> str:
        code = service.process.returncode if service.process else None
        last = "\n".join(list(service.tail)[-10:])
        return f"{service.name} exited with code {code}. Its last output:\n{last}"


def prepare_start(settings: Settings) -> bool:
    """What both profiles (`make run`, `make run-cluster`) check and make before starting anything:
    a valid clinic policy (else a message naming the bad key) and both shared secrets."""
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")  # env exception: written for the children
    try:
        load_policy(settings.policy_path, known_classes=list(load_lexicon().classes))
    except PolicyError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return False
    ensure_token()
    ensure_token(name="ACTION_SERVER_TOKEN")
    return True


def stop_on_signals() -> threading.Event:
    """An event set by Ctrl-C or SIGTERM: the main loop notices it and stops everything it started."""
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _signum, _frame: stopping.set())
    return stopping


def main() -> int:
    """`make run`: check the policy, start everything, print the URLs, supervise."""
    settings = Settings.from_env()
    if not prepare_start(settings):
        return 2
    stack = Stack(
        rasa_port=settings.ports.rasa,
        action_port=settings.ports.action,
        web_port=settings.ports.web,
        log_dir=ROOT / "var" / "log",
    )
    stopping = stop_on_signals()
    stack.start()
    try:
        stack.wait_ready(abort=stopping.is_set)
    except RuntimeError as exc:
        stack.stop()
        print(f"\nStartup failed: {exc}", file=sys.stderr)
        return 1
    pids = {name: service.process.pid for name, service in stack.services.items() if service.process}
    print(
        "\nAll three servers are up:\n"
        f"  web app (visitor page, staff dashboard at /staff): {stack.web_url}/  (pid {pids['web app']})\n"
        f"  Rasa server (REST channel; HTTP API with the token in .env): {stack.rasa_url}  (pid {pids['rasa server']})\n"
        f"  action server: {stack.action_url}  (pid {pids['action server']})\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )
    while not stopping.is_set():
        failing = stack.supervise_once(log=lambda m: print(m, file=sys.stderr, flush=True))
        if failing:
            stack.stop()
            print(
                f"\nStopping: {failing.name} crashed more than {MAX_CRASHES} times in {CRASH_WINDOW_S:.0f}s. "
                f"{stack.death_message(failing)}",
                file=sys.stderr,
            )
            return 1
        time.sleep(0.5)
    print("\nStopping all three servers...", flush=True)
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
