"""`make bench`: this assistant beside Rasa's starter bot, measured in one run on this machine.

Prints a Markdown table and writes it to reports/bench.md (raw numbers in reports/bench.json):
  1. Held-out NLU scores (tests/nlu_holdout.yml) of this config.yml and of Rasa's default pipeline
     (the config.yml `rasa init` writes), both trained on this project's data/ in this run.
  2. Per-turn latency p50/p95/p99 and turns/s of whole screening conversations through the REST
     channel (POST /webhooks/rest/webhook), actions included, at 1, 10 and 50 concurrent
     conversations, each with its own sender id, against models/screening.tar.gz served by
     bot.runner.Stack (Rasa server + action server) on free loopback ports, temporary databases.
  3. The same for Rasa's starter bot (`rasa init --no-prompt` in a temporary folder, its own model,
     `rasa run --enable-api`), interleaved level by level with (2) so both see the same machine load.
  4. Cold `rasa train` of this project (fresh output dir, empty RASA_CACHE_DIRECTORY), model load
     time (server start to ready) and peak RSS (VmHWM from /proc) of the Rasa and action servers.

Bounded: a fixed number of conversations per level with a time cap, traffic only to 127.0.0.1,
every server stopped at the end, one training at a time. Targets are read from the table, not
asserted. Options: --quick (fewer conversations, for trying the script), --transcript (print one
screening conversation and exit), --keep (keep the temporary folder).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List, Optional

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import visitor  # noqa: E402
from nlu_eval import (  # noqa: E402
    CONFIG,
    DATA,
    HOLDOUT,
    RASA,
    ROOT,
    examples,
    machine_info,
    now_utc,
    rasa_env,
    read_scores,
    run_logged,
    tail,
    test_nlu,
    train_nlu,
)

OUT_MD = ROOT / "reports" / "bench.md"
OUT_JSON = ROOT / "reports" / "bench.json"
LOG_DIR = ROOT / "reports" / "tmp" / "bench"
MODEL = ROOT / "models" / "screening.tar.gz"
HOST = "127.0.0.1"

SCREENING = None  # this assistant: scripts/visitor.py reads each open question and answers it (a whole screening)
STARTER = ["hi", "not good", "yes", "great", "are you a bot?", "bye"]

# concurrent conversations -> (conversations run at that level, time cap in seconds)
LEVELS = {1: (5, 180), 10: (20, 240), 50: (50, 300)}
QUICK_LEVELS = {1: (2, 120), 10: (10, 180), 50: (50, 240)}
CLUSTER_ROW = "this assistant, cluster"
TARGET_P95_RATIO = 1.0  # single process: p95 at 10 concurrent <= 1.0x the starter bot's (issue 12)
TARGET_CLUSTER_TPS_RATIO = 1.3  # cluster at 50 concurrent: >= 1.3x the single process's turns/s, at a lower p95
TARGET_COLD_TRAIN_S = 180  # cold `rasa train` < 3 minutes
TRAIN_CAP_S = 1500  # kill a training that takes longer than this


# ---- processes -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def tree(pid: int) -> List[int]:
    """pid and all its descendants, from /proc."""
    children: Dict[int, List[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def peak_rss_mib(pid: Optional[int]) -> Optional[float]:
    """Sum of VmHWM (peak resident set) over the process tree, MiB."""
    if not pid:
        return None
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024 if total else None


def wait_http(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> float:
    """Seconds until url answers 200; raises if the process dies or the timeout passes."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {log}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return time.perf_counter() - start
        except Exception:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url.split('?')[0]} did not answer within {timeout:.0f}s; see {log}")


def stop_proc(proc: Optional[subprocess.Popen], timeout: float = 15) -> None:
    if not proc or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


# ---- load -------------------------------------------------------------------------------------------
async def run_level(
    base_url: str, script: Optional[List[str]], concurrency: int, conversations: int, cap: float, tag: str
) -> dict:
    """`conversations` whole conversations, at most `concurrency` at a time, each with its own sender."""
    latencies: List[float] = []
    finished: Dict[str, list] = {}
    failures: List[str] = []
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency + 5, max_keepalive_connections=concurrency + 5)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:

        async def conversation(i: int) -> None:
            async with sem:
                sender = f"bench-{tag}-c{concurrency}-{i}-{uuid.uuid4().hex[:8]}"
                if script is None:  # a screening visitor; a failed turn is not resent here (it counts)
                    res = await visitor.Visitor(
                        client, visitor.Profile.make(i), tag, resend_for_s=0, path=visitor.REST
                    ).run()
                    latencies.extend(res.latencies)
                    if res.error or not res.lead_id:
                        failures.append(f"{res.sender}: {res.error or 'no reference number'}")
                    else:
                        finished[res.sender] = [res.lead_id]
                    return
                last: list = []
                for text in script:
                    t0 = time.perf_counter()
                    try:
                        resp = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
                        resp.raise_for_status()
                        last = resp.json()
                    except Exception as exc:  # a failed turn ends that conversation
                        failures.append(f"{sender} {text!r}: {type(exc).__name__}: {exc}")
                        return
                    latencies.append(time.perf_counter() - t0)
                finished[sender] = last

        start = time.perf_counter()
        tasks = [asyncio.create_task(conversation(i)) for i in range(conversations)]
        _done, pending = await asyncio.wait(tasks, timeout=cap)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        wall = time.perf_counter() - start
    lat_ms = np.array(latencies) * 1000
    pct = (lambda q: float(np.percentile(lat_ms, q))) if len(lat_ms) else (lambda q: None)
    return {
        "concurrency": concurrency,
        "conversations": conversations,
        "finished": len(finished),
        "turns": len(latencies),
        "failed_turns": len(failures),
        "capped": bool(pending),
        "wall_s": wall,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "turns_per_s": len(latencies) / wall if wall else None,
        "senders": list(finished),
        "last_replies": list(finished.values())[:1],
        "failures": failures[:5],
    }


class OurBot:
    """models/screening.tar.gz with its action server, via bot.runner.Stack (no web app)."""

    def __init__(self, tmp: Path, model: Path) -> None:
        from bot.runner import Stack

        self.database_url = f"sqlite:///{tmp / 'leads.db'}"
        os.environ["RASA_AUTH_TOKEN"] = os.environ.get("RASA_AUTH_TOKEN") or secrets.token_hex(16)  # no .env write
        self.stack = Stack(
            rasa_port=free_port(),
            action_port=free_port(),
            web_port=free_port(),
            model=str(model),
            env={"DATABASE_URL": self.database_url, "TRACKER_DB": str(tmp / "tracker.db")},
            quiet=True,
        )
        self.url = self.stack.rasa_url
        self.load_s: Optional[float] = None
        self.action_start_s: Optional[float] = None

    def start(self) -> None:
        t0 = time.perf_counter()
        self.stack.start(only="action server")
        self.stack.wait_ready(timeout=120, only="action server")
        self.action_start_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        self.stack.start(only="rasa server")
        self.stack.wait_ready(timeout=300, only="rasa server")
        self.load_s = time.perf_counter() - t0

    def pid(self, name: str) -> Optional[int]:
        proc = self.stack.services[name].process
        return proc.pid if proc else None

    def completed(self, senders: List[str]) -> int:
        from bot.schema import open_lead_store

        store = open_lead_store(self.database_url)
        return sum(1 for s in senders if store.for_conversation(s))

    def stop(self) -> None:
        self.stack.stop()


class ClusterBot:
    """The cluster profile (bot.cluster: nginx, supervisor, N Rasa + N action servers, PostgreSQL, Redis) on free
    ports with its own temporary PostgreSQL database; turns go through nginx's Rasa listener."""

    def __init__(self, tmp: Path, model: Path, pg_admin: str = "postgresql://postgres@127.0.0.1:5432/postgres") -> None:
        from bot.cluster import Cluster
        from bot.settings import Settings

        self.db_name = f"bench_cluster_{uuid.uuid4().hex[:8]}"
        self.pg_admin = pg_admin
        base = Settings.from_env().cluster  # replica counts from CLUSTER_* (defaults: this machine)
        settings = base.replace(
            rasa_ports=tuple(free_port() for _ in base.rasa_ports),
            action_ports=tuple(free_port() for _ in base.action_ports),
            web_ports=tuple(free_port() for _ in base.web_ports),
            public_rasa_port=free_port(),
            public_web_port=free_port(),
            action_lb_port=free_port(),
            database_url=pg_admin.rsplit("/", 1)[0] + "/" + self.db_name,
            directory=Path(tempfile.mkdtemp(prefix="bench-cl-", dir="/tmp")),
            model=model,
        )
        self.cluster = Cluster(settings, token=secrets.token_hex(16), quiet=True)
        self.url = settings.rasa_url
        self.replicas = len(settings.rasa_ports)
        self.load_s: Optional[float] = None

    def start(self) -> None:
        t0 = time.perf_counter()
        self.cluster.start()
        self.cluster.wait_ready(timeout=600)
        self.load_s = time.perf_counter() - t0

    def rss(self) -> Dict[str, Optional[float]]:
        """Peak RSS of each program (MiB), from the pids supervisor reports."""
        return {name: peak_rss_mib(pid) for name, pid in sorted(self.cluster.pids().items())}

    def completed(self, senders: List[str]) -> int:
        from bot.schema import open_lead_store

        store = open_lead_store(self.cluster.settings.database_url)
        try:
            return sum(1 for s in senders if store.for_conversation(s))
        finally:
            store.engine.dispose()

    def stop(self) -> None:
        self.cluster.stop()
        try:
            import psycopg2

            conn = psycopg2.connect(self.pg_admin)
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            conn.close()
        except Exception as exc:  # noqa: BLE001 - cleanup only
            step(f"could not drop {self.db_name}: {exc}")
        shutil.rmtree(self.cluster.settings.directory, ignore_errors=True)


class StarterBot:
    """`rasa init --no-prompt` project served with `rasa run --enable-api` (+ its action server if it has one)."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.proc: Optional[subprocess.Popen] = None
        self.actions: Optional[subprocess.Popen] = None
        self.load_s: Optional[float] = None
        self.load_timeout = 300.0
        endpoints = (project / "endpoints.yml").read_text(encoding="utf-8")
        self.has_action_server = bool(re.search(r"^action_endpoint:", endpoints, re.M))

    def _popen(self, argv: List[str], log: Path) -> subprocess.Popen:
        env = {k: v for k, v in rasa_env().items() if k not in ("PYTHONPATH", "DATABASE_URL", "TRACKER_DB")}
        return subprocess.Popen(
            argv, cwd=self.project, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def start(self) -> None:
        if self.has_action_server:  # not the case for Rasa 3.6's starter: its endpoints.yml has none
            log = LOG_DIR / "starter_actions.log"
            self.actions = self._popen([RASA, "run", "actions", "-p", "5055"], log)
            wait_http(f"http://{HOST}:5055/health", self.actions, 120, log)
        model = sorted((self.project / "models").glob("*.tar.gz"))[-1]
        log = LOG_DIR / "starter_rasa.log"
        self.proc = self._popen(
            [RASA, "run", "--enable-api", "-i", HOST, "-p", str(self.port), "--model", str(model)], log
        )
        self.load_s = wait_http(f"{self.url}/status", self.proc, self.load_timeout, log)

    def completed(self, senders: List[str]) -> int:
        return len(senders)  # every turn answered 200; the starter stores nothing to check

    def stop(self) -> None:
        stop_proc(self.proc)
        stop_proc(self.actions)


# ---- steps ------------------------------------------------------------------------------------------
def step(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def cold_train(tmp: Path) -> dict:
    out = tmp / "project_models"
    argv = [
        RASA,
        "train",
        "--config",
        str(CONFIG),
        "--domain",
        str(ROOT / "domain.yml"),
        "--data",
        str(DATA),
        "--out",
        str(out),
        "--fixed-model-name",
        "screening",
    ]
    log = LOG_DIR / "cold_train.log"
    rc, seconds, maxrss = run_logged(
        argv, log, env=rasa_env({"RASA_CACHE_DIRECTORY": str(tmp / "cache_project")}), timeout=TRAIN_CAP_S
    )
    if rc != 0 or not (out / "screening.tar.gz").exists():
        raise RuntimeError(f"cold `rasa train` failed (exit {rc}); see {log}:\n{tail(log)}")
    return {"seconds": seconds, "peak_rss_mib": maxrss / 1024, "model": out / "screening.tar.gz"}


def starter_init(tmp: Path) -> dict:
    project = tmp / "starter"
    project.mkdir()
    log = LOG_DIR / "starter_init.log"
    env = {k: v for k, v in rasa_env({"RASA_CACHE_DIRECTORY": str(tmp / "cache_starter")}).items() if k != "PYTHONPATH"}
    rc, seconds, maxrss = run_logged(
        [RASA, "init", "--no-prompt", "--init-dir", str(project)], log, env=env, cwd=project, timeout=TRAIN_CAP_S
    )
    if rc != 0 or not list((project / "models").glob("*.tar.gz")):
        raise RuntimeError(f"`rasa init --no-prompt` failed (exit {rc}); see {log}:\n{tail(log)}")
    return {"seconds": seconds, "peak_rss_mib": maxrss / 1024, "project": project}


def nlu_compare(tmp: Path, project_model: Path) -> dict:
    """This config (NLU of the cold-trained model) and the rasa-init default, on the held-out set."""
    results = {}
    step("NLU: this config.yml (model from the cold training) on the held-out set")
    ours_dir = LOG_DIR / "nlu_this_config"
    test_nlu(project_model, ours_dir, plot=False)
    results["this config.yml"] = read_scores(ours_dir, extractor="RegexEntityExtractor")

    default_cfg = tmp / "default_config" / "config.yml"
    default_cfg.parent.mkdir()
    import rasa.cli.scaffold as scaffold  # the files `rasa init` copies

    shutil.copy(Path(scaffold.__file__).parent / "initial_project" / "config.yml", default_cfg)
    step("NLU: training Rasa's default pipeline (rasa init config.yml) on data/")
    model, _trained, seconds = train_nlu(
        default_cfg,
        tmp / "default_models",
        name="nlu",
        env_extra={"RASA_CACHE_DIRECTORY": str(tmp / "cache_default")},
        force=True,
    )
    default_dir = LOG_DIR / "nlu_default_pipeline"
    test_nlu(model, default_dir, plot=False)
    results["rasa init default"] = read_scores(default_dir, extractor=None)  # DIETClassifier extracts entities there
    results["rasa init default"]["train_s"] = seconds
    return results


def transcript(model: Path) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="rasa-bench-"))
    bot = OurBot(tmp, model)
    try:
        bot.start()
        sender = f"transcript-{uuid.uuid4().hex[:8]}"

        async def talk() -> None:
            async with httpx.AsyncClient(base_url=bot.url, timeout=120) as client:
                talker = visitor.Visitor(client, visitor.Profile.make(0), "transcript", path=visitor.REST)
                talker.result.sender = sender
                say = talker.say

                async def printing(text: str, slot: str):
                    replies = await say(text, slot)
                    print(f"> {text}")
                    for r in replies:
                        print("  " + (r.get("text") or json.dumps(r))[:200].replace("\n", " "))
                    return replies

                talker.say = printing
                await talker.run()

        asyncio.run(talk())
        print(f"lead stored: {bool(bot.completed([sender]))}")
    finally:
        bot.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


# ---- report -----------------------------------------------------------------------------------------
def f(x: Optional[float], digits: int = 0) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def render_cluster(r: dict) -> List[str]:
    """Cluster vs single process at the highest level, memory per program, and the projection to N machines."""
    c = r.get("cluster")
    top = r["levels"][-1] if r["levels"] else {}
    if not c or CLUSTER_ROW not in top:
        return []
    one, many = top["this assistant"], top[CLUSTER_ROW]
    cores = int(r["machine"]["nproc"]) if str(r["machine"]["nproc"]).isdigit() else 2
    tps, tps1 = many["turns_per_s"] or 0, one["turns_per_s"] or 0
    per_worker = tps / max(1, min(c["rasa_replicas"], cores))
    turns = max(1, round(one["turns"] / max(1, one["finished"] or 1)))
    rss = c["rss_mib"]
    rasa_rss = [v for k, v in rss.items() if k.startswith("rasa-") and v]
    L = [
        "",
        f"### Cluster profile vs single process, {many['concurrency']} concurrent conversations",
        "",
        f"Cluster: nginx, {c['rasa_replicas']} Rasa servers, action servers and web apps under supervisor, trackers "
        f"in PostgreSQL, locks in Redis (`make run-cluster`, started in {f(c['start_s'])} s); turns through nginx's "
        "Rasa listener. Single process: `make run`'s Rasa server with SQLite.",
        "",
        "| profile | turns/s | p50 ms | p95 ms | failed turns | completed |",
        "|---|---|---|---|---|---|",
        f"| single process | {f(tps1, 1)} | {f(one['p50_ms'])} | {f(one['p95_ms'])} | {one['failed_turns']} | {one['completed']} |",
        f"| cluster | {f(tps, 1)} | {f(many['p50_ms'])} | {f(many['p95_ms'])} | {many['failed_turns']} | {many['completed']} |",
        "",
        f"Throughput ratio cluster / single: **{f((r['targets'].get('cluster') or {}).get('ratio'), 2)}x**; "
        f"p95 {f(many['p95_ms'])} ms vs {f(one['p95_ms'])} ms.",
        "",
        "Peak RSS per program of the cluster (MiB): " + ", ".join(f"{k} {f(v)}" for k, v in rss.items()) + ".",
        "",
        "#### Projection to N machines (from these measurements, not measured)",
        "",
        f"Measured per Rasa worker: {f(per_worker, 1)} turns/s ({f(tps, 1)} turns/s over "
        f"{min(c['rasa_replicas'], cores)} worker(s) on {cores} cores, each worker one event loop on one core). "
        f"A screening is about {turns} turns. With Rasa, action servers and web apps on N machines like this one "
        f"({cores} cores, one Rasa worker per core) and PostgreSQL and Redis on their own machine, throughput grows "
        "about linearly until the database saturates:",
        "",
        "| machines | Rasa workers | turns/s | screenings/min | Rasa memory |",
        "|---|---|---|---|---|",
    ]
    for n in (1, 2, 4, 8):
        workers = n * cores
        mem = f"{f(workers * max(rasa_rss) / 1024, 1)} GiB" if rasa_rss else "n/a"
        L.append(f"| {n} | {workers} | ~{f(workers * per_worker)} | ~{f(workers * per_worker * 60 / turns)} | {mem} |")
    L += [
        "",
        "Each Rasa worker holds the model in memory (peak RSS above); PostgreSQL writes every turn's events, "
        "so beyond a few machines size the database (connections: each Rasa and action process keeps a pool).",
    ]
    return L


def render(r: dict) -> str:
    m = r["machine"]
    L = [
        "# Benchmark (`make bench`)",
        "",
        f"- Date: {r['date']} (run took {r['total_s'] / 60:.1f} min)",
        f"- Machine: {m['nproc']} cores (nproc), {m['cpu']}, {m['ram']} RAM; load average at start {m['load']}",
        f"- Software: Rasa {m['rasa']}, Python {m['python']}",
        "",
        f"### NLU on the held-out set (`tests/nlu_holdout.yml`, {r['holdout_n']} messages), both trained on `data/` in this run",
        "",
        "| pipeline | intent macro-F1 | intent accuracy | medication F1 | condition F1 | entities from |",
        "|---|---|---|---|---|---|",
    ]
    for name, s in r["nlu"].items():
        L.append(
            f"| {name} | {f(s['intent macro-F1'], 3)} | {f(s['intent accuracy'], 3)} | {f(s['medication F1'], 3)} "
            f"| {f(s['condition F1'], 3)} | {s['extractor']} |"
        )
    L += [
        "",
        "### Per-turn latency, whole conversations through `POST /webhooks/rest/webhook`",
        "",
        "This assistant: a whole screening by a visitor that answers each question it is asked (scripts/visitor.py, "
        "about 22 turns), actions included, SQLite tracker store (single process) or PostgreSQL + Redis behind nginx (cluster); "
        f"starter bot: its own {len(STARTER)}-turn conversation ({', '.join(repr(t) for t in STARTER)}), in-memory tracker store. "
        "Each conversation has its own sender id; one warm-up conversation per bot is not counted.",
        "",
        "| bot | concurrent | conversations (finished) | turns | p50 ms | p95 ms | p99 ms | turns/s | failed turns | completed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for level in r["levels"]:
        for name in ("this assistant", "starter bot", CLUSTER_ROW):
            x = level.get(name)
            if x is None:
                continue
            L.append(
                f"| {name} | {x['concurrency']} | {x['conversations']} ({x['finished']}){' capped' if x['capped'] else ''} "
                f"| {x['turns']} | {f(x['p50_ms'])} | {f(x['p95_ms'])} | {f(x['p99_ms'])} | {f(x['turns_per_s'], 1)} "
                f"| {x['failed_turns']} | {x['completed']} |"
            )
    L.append("")
    L.append(
        "`completed`: this assistant, conversations whose lead was stored by the actions; starter bot, conversations with every turn answered."
    )
    L += render_cluster(r)
    o, s = r["ours"], r["starter"]
    L += [
        "",
        "### Training, loading, memory",
        "",
        "| | this assistant | starter bot |",
        "|---|---|---|",
        f"| cold `rasa train` (empty cache, fresh output dir) | {f(o['train_s'])} s | {f(s['train_s'])} s (`rasa init --no-prompt`, includes scaffolding) |",
        f"| peak RSS of the training process | {f(o['train_rss_mib'])} MiB | {f(s['train_rss_mib'])} MiB |",
        f"| model load (`rasa run` start to /status ready) | {f(o['load_s'], 1)} s | {f(s['load_s'], 1)} s |",
        f"| peak RSS, Rasa server | {f(o['rasa_rss_mib'])} MiB | {f(s['rasa_rss_mib'])} MiB |",
        f"| peak RSS, action server | {f(o['action_rss_mib'])} MiB (start to ready {f(o['action_start_s'], 1)} s) | "
        f"{f(s['action_rss_mib']) + ' MiB' if s['action_rss_mib'] else 'none (the starter has no custom actions)'} |",
        f"| default NLU pipeline training on data/ (NLU only) | – | {f(r['nlu'].get('rasa init default', {}).get('train_s'))} s |",
    ]
    t = r["targets"]
    L += [
        "",
        "### Targets (read from this table, not asserted)",
        "",
        f"- p95 per turn at 10 concurrent conversations: {f(t['p95_ours'])} ms vs the starter bot's {f(t['p95_starter'])} ms "
        f"= **{f(t['ratio'], 2)}x** (target <= {TARGET_P95_RATIO}x): **{'met' if t['ratio_met'] else 'not met'}**",
        f"- cold `rasa train`: **{f(o['train_s'])} s** (target < {TARGET_COLD_TRAIN_S} s): **{'met' if t['train_met'] else 'not met'}**",
    ]
    c = t.get("cluster")
    if c:
        L.append(
            f"- cluster at {c['concurrency']} concurrent: {f(c['tps'], 1)} turns/s vs the single process's {f(c['tps1'], 1)} "
            f"= **{f(c['ratio'], 2)}x** (target >= {TARGET_CLUSTER_TPS_RATIO}x), p95 {f(c['p95'])} ms vs {f(c['p95_1'])} ms "
            f"(target: lower): **{'met' if c['met'] else 'not met'}**"
        )
    L.append("")
    return "\n".join(L)


def main() -> int:
    ap = argparse.ArgumentParser(description="Benchmark this assistant against Rasa's starter bot.")
    ap.add_argument("--quick", action="store_true", help="fewer conversations per level (trying the script)")
    ap.add_argument("--transcript", action="store_true", help="print one screening conversation and exit")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument(
        "--serving-only",
        action="store_true",
        help="skip the cold training and the NLU comparison (latency, throughput and memory only)",
    )
    ap.add_argument("--model", type=Path, default=MODEL)
    args = ap.parse_args()
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    if not args.model.exists():
        print(f"error: no trained model at {args.model}: run `make train` first", file=sys.stderr)
        return 2
    if args.transcript:
        return transcript(args.model.resolve())

    def _terminate(signum, _frame):  # make SIGTERM run the `finally` below: servers stopped, temp removed
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    levels = QUICK_LEVELS if args.quick else LEVELS
    started = time.perf_counter()
    date, machine = now_utc(), machine_info()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="rasa-bench-"))
    ours: Optional[OurBot] = None
    starter: Optional[StarterBot] = None
    cluster: Optional[ClusterBot] = None
    try:
        # Serving first (nothing else of ours running), then the trainings, one at a time.
        step("`rasa init --no-prompt` (scaffolds and trains the starter bot)")
        init = starter_init(tmp)

        step("starting this assistant (action server, then Rasa server)")
        ours = OurBot(tmp, args.model.resolve())
        ours.start()
        step(f"starting the starter bot (model loaded by this assistant: {ours.load_s:.1f} s)")
        starter = StarterBot(init["project"])
        starter.start()
        step(f"starter bot model loaded: {starter.load_s:.1f} s")
        step("starting the cluster profile (nginx, supervisor, PostgreSQL, Redis)")
        cluster = ClusterBot(tmp, args.model.resolve())
        cluster.start()
        step(f"cluster up: {cluster.load_s:.1f} s")
        bots = {
            "this assistant": (ours, SCREENING),
            "starter bot": (starter, STARTER),
            CLUSTER_ROW: (cluster, SCREENING),
        }

        step("warm-up: one conversation per bot (not counted)")
        for bot, script in bots.values():
            asyncio.run(run_level(bot.url, script, 1, 1, 120, "warmup"))

        results_levels = []
        for concurrency, (conversations, cap) in levels.items():
            row = {}
            for name, (bot, script) in bots.items():
                step(f"{name}: {conversations} conversations, {concurrency} at a time (cap {cap} s)")
                res = asyncio.run(
                    run_level(
                        bot.url,
                        script,
                        concurrency,
                        conversations,
                        cap,
                        {ours: "ours", cluster: "cluster"}.get(bot, "starter"),
                    )
                )
                res["completed"] = bot.completed(res.pop("senders"))
                step(
                    f"  p50 {f(res['p50_ms'])} ms, p95 {f(res['p95_ms'])} ms, p99 {f(res['p99_ms'])} ms, "
                    f"{f(res['turns_per_s'], 1)} turns/s, {res['failed_turns']} failed turns, "
                    f"{res['completed']}/{conversations} completed"
                )
                for failure in res["failures"]:
                    step(f"  failure: {failure}")
                row[name] = res
            results_levels.append(row)

        ours_info = {
            "load_s": ours.load_s,
            "action_start_s": ours.action_start_s,
            "rasa_rss_mib": peak_rss_mib(ours.pid("rasa server")),
            "action_rss_mib": peak_rss_mib(ours.pid("action server")),
        }
        starter_info = {
            "train_s": init["seconds"],
            "train_rss_mib": init["peak_rss_mib"],
            "load_s": starter.load_s,
            "rasa_rss_mib": peak_rss_mib(starter.proc.pid if starter.proc else None),
            "action_rss_mib": peak_rss_mib(starter.actions.pid if starter.actions else None),
        }
        step(
            f"peak RSS: this assistant's Rasa server {f(ours_info['rasa_rss_mib'])} MiB, action server "
            f"{f(ours_info['action_rss_mib'])} MiB; starter's Rasa server {f(starter_info['rasa_rss_mib'])} MiB"
        )
        cluster_info = {"rasa_replicas": cluster.replicas, "start_s": cluster.load_s, "rss_mib": cluster.rss()}
        step("stopping servers before the trainings")
        ours.stop()
        starter.stop()
        cluster.stop()

        step("cold `rasa train` of this project (empty cache, fresh output dir)")
        if args.serving_only:
            cold, nlu = {"seconds": None}, {}
            ours_info.update({"train_s": None, "train_rss_mib": None})
        else:
            cold = cold_train(tmp)
            ours_info.update({"train_s": cold["seconds"], "train_rss_mib": cold["peak_rss_mib"]})
            step(f"cold training took {cold['seconds']:.0f} s")
            nlu = nlu_compare(tmp, cold["model"])
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        step("stopping servers")
        for bot in (ours, starter, cluster):
            if bot:
                bot.stop()
        if args.keep:
            step(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    at10 = next((row for row in results_levels if row["this assistant"]["concurrency"] == 10), None)
    p95_ours = at10["this assistant"]["p95_ms"] if at10 else None
    p95_starter = at10["starter bot"]["p95_ms"] if at10 else None
    ratio = p95_ours / p95_starter if p95_ours and p95_starter else None
    top = results_levels[-1] if results_levels else {}
    cluster_target = None
    if CLUSTER_ROW in top and top["this assistant"]["turns_per_s"]:
        one, many = top["this assistant"], top[CLUSTER_ROW]
        tps_ratio = (many["turns_per_s"] or 0) / one["turns_per_s"]
        lower_p95 = many["p95_ms"] is not None and one["p95_ms"] is not None and many["p95_ms"] < one["p95_ms"]
        cluster_target = {
            "concurrency": many["concurrency"],
            "tps": many["turns_per_s"],
            "tps1": one["turns_per_s"],
            "ratio": tps_ratio,
            "p95": many["p95_ms"],
            "p95_1": one["p95_ms"],
            "met": tps_ratio >= TARGET_CLUSTER_TPS_RATIO and lower_p95,
        }
    report = {
        "date": date,
        "machine": machine,
        "total_s": time.perf_counter() - started,
        "holdout_n": len(examples(HOLDOUT)),
        "nlu": {k: {kk: vv for kk, vv in v.items() if kk != "intent report"} for k, v in nlu.items()},
        "levels": results_levels,
        "ours": ours_info,
        "starter": starter_info,
        "cluster": cluster_info,
        "targets": {
            "p95_ours": p95_ours,
            "p95_starter": p95_starter,
            "ratio": ratio,
            "ratio_met": ratio is not None and ratio <= TARGET_P95_RATIO,
            "train_met": cold["seconds"] is not None and cold["seconds"] < TARGET_COLD_TRAIN_S,
            "cluster": cluster_target,
        },
        "quick": args.quick,
    }
    md = render(report)
    if args.quick or args.serving_only:
        flags = ", ".join(
            x
            for x, on in (
                ("--quick: fewer conversations", args.quick),
                ("--serving-only: no training or NLU runs", args.serving_only),
            )
            if on
        )
        md = md.replace("# Benchmark (`make bench`)", f"# Benchmark (`make bench`, {flags})")
    OUT_MD.parent.mkdir(parents=True, exist_ok=True)
    OUT_MD.write_text(md, encoding="utf-8")
    OUT_JSON.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(md)
    print(
        f"written: {OUT_MD.relative_to(ROOT)} (raw numbers: {OUT_JSON.relative_to(ROOT)}, logs: {LOG_DIR.relative_to(ROOT)}/)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
