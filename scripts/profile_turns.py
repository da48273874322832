"""Where a turn's CPU goes: Rasa's stock tracker store and endpoints ("before") beside this project's
endpoints.yml ("after"), and Rasa's starter bot, measured in one run on this machine.

For each variant the Rasa server + action server run on free loopback ports (bot.runner.Stack) with
temporary databases; the starter bot is `rasa init --no-prompt` as in scripts/bench.py. Steps:
  1. warm-up conversation per bot (not counted);
  2. `--rounds` x (20 whole screenings, 10 at a time) per variant, interleaved, without a profiler:
     per-turn p50/p95 and turns/s (the same load code as scripts/bench.py);
  3. py-spy samples each variant's Rasa server during 10 more screenings (10 at a time);
     written as speedscope JSON (identical stacks merged: open at https://www.speedscope.app)
     to reports/profile-before.json / reports/profile-after.json;
  4. reports/profile.md: the numbers, and the share of samples spent in the parts of a turn.

Usage: .venv/bin/python scripts/profile_turns.py [--rounds 2] [--no-starter]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (  # noqa: E402
    LOG_DIR,
    MODEL,
    ROOT,
    SCREENING,
    STARTER,
    OurBot,
    StarterBot,
    f,
    machine_info,
    now_utc,
    run_level,
    starter_init,
    step,
)

PY_SPY = Path(sys.executable).parent / "py-spy"
OUT_MD = ROOT / "reports" / "profile.md"
# endpoints.yml as it was before issue 12: Rasa's SQL tracker store, the whole domain to every action.
BEFORE_ENDPOINTS = """action_endpoint:
  url: ${ACTION_ENDPOINT_URL}
tracker_store:
  type: SQL
  dialect: "sqlite"
  db: ${TRACKER_DB}
"""
# Parts of a turn: a sample counts for a part when any frame of its stack matches (inclusive time).
PARTS = [
    (
        "whole turn (MessageProcessor.handle_message)",
        lambda fr: fr["name"] == "handle_message" and fr["file"].endswith("core/processor.py"),
    ),
    (
        "NLU pipeline (parse_message)",
        lambda fr: fr["name"] == "parse_message" and fr["file"].endswith("core/processor.py"),
    ),
    ("policies (_predict_next_with_tracker)", lambda fr: fr["name"] == "_predict_next_with_tracker"),
    (
        "tracker store: retrieve (incl. rebuilding the tracker)",
        lambda fr: fr["name"] in ("retrieve", "_retrieve") and "tracker_store" in fr["file"],
    ),
    ("tracker store: save", lambda fr: fr["name"] == "save" and "tracker_store" in fr["file"]),
    ("event class lookup (Event.resolve_by_type)", lambda fr: fr["name"] == "resolve_by_type"),
    (
        "custom action calls (RemoteAction.run, HTTP included)",
        lambda fr: (
            fr["name"] == "run" and fr["file"].endswith("core/actions/action.py") and 748 <= fr.get("line", 0) < 844
        ),
    ),
    ("  request body (RemoteAction._action_call_format)", lambda fr: fr["name"] == "_action_call_format"),
    ("  response check (jsonschema)", lambda fr: "jsonschema" in fr["file"]),
    ("SQLAlchemy (all)", lambda fr: "/sqlalchemy/" in fr["file"]),
]


def rasa_pid(bot: OurBot) -> int:
    return bot.pid("rasa server")


def profile(bot: OurBot, out: Path, conversations: int, rate: int) -> dict:
    """py-spy on the Rasa server while `conversations` screenings run, 10 at a time."""
    log = LOG_DIR / f"py-spy-{out.stem}.log"
    raw = out.with_suffix(".raw.json")
    spy = subprocess.Popen(
        [
            str(PY_SPY),
            "record",
            "--pid",
            str(rasa_pid(bot)),
            "--rate",
            str(rate),
            "--nonblocking",
            "--format",
            "speedscope",
            "--output",
            str(raw),
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    time.sleep(2)
    if spy.poll() is not None:
        raise RuntimeError(f"py-spy exited {spy.returncode}; see {log}")
    res = asyncio.run(run_level(bot.url, SCREENING, 10, conversations, 300, "profile"))
    spy.send_signal(signal.SIGINT)
    spy.wait(60)
    summary = compact(raw, out)
    raw.unlink()
    summary["turns"] = res["turns"]
    return summary


def compact(raw: Path, out: Path) -> dict:
    """Merge identical stacks (speedscope weights) so the file stays small; return the parts' shares."""
    data = json.loads(raw.read_text())
    frames = data["shared"]["frames"]
    total = 0.0
    parts = {name: 0.0 for name, _ in PARTS}
    profiles = []
    for prof in data["profiles"]:
        merged: Dict[tuple, float] = {}
        for stack, weight in zip(prof["samples"], prof["weights"]):
            merged[tuple(stack)] = merged.get(tuple(stack), 0) + weight
            total += weight
            for name, match in PARTS:
                if any(match(frames[i]) for i in stack):
                    parts[name] += weight
        if merged:
            prof = dict(prof, samples=[list(s) for s in merged], weights=list(merged.values()))
            profiles.append(prof)
    data["profiles"] = profiles
    out.write_text(json.dumps(data, separators=(",", ":")))
    return {
        "samples": total,
        "parts": {k: (100 * v / total if total else 0) for k, v in parts.items()},
        "bytes": out.stat().st_size,
    }


def tracker_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


def render(r: dict) -> str:
    m = r["machine"]
    L = [
        "# Profile of a turn: before and after the leaner turn (issue 12)",
        "",
        f"- Date: {r['date']}; machine: {m['nproc']} cores, {m['cpu']}, load average at start {m['load']}; "
        f"Rasa {m['rasa']}, Python {m['python']}",
        f"- Command: `.venv/bin/python scripts/profile_turns.py --rounds {r['rounds']}` "
        "(`before`: Rasa's `type: SQL` tracker store, whole domain to every action, no speedups; "
        "`after`: this project's endpoints.yml)",
        "",
        "## Latency at 10 concurrent conversations (no profiler attached)",
        "",
        f"Whole conversations through `POST /webhooks/rest/webhook`, {r['rounds']} x 20 per bot, interleaved; "
        f"this assistant: the {len(SCREENING)}-turn screening, actions and SQLite tracker store included; "
        f"starter bot: its {len(STARTER)}-turn conversation, in-memory tracker store.",
        "",
        "| bot | round | turns | p50 ms | p95 ms | p99 ms | turns/s | failed turns | p95 / starter's, same round |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    starter_p95 = {row["round"]: row["p95_ms"] for row in r["latency"] if row["bot"] == "starter bot"}
    for row in r["latency"]:
        ratio = row["p95_ms"] / starter_p95[row["round"]] if starter_p95.get(row["round"]) else None
        L.append(
            f"| {row['bot']} | {row['round']} | {row['turns']} | {f(row['p50_ms'])} | {f(row['p95_ms'])} | "
            f"{f(row['p99_ms'])} | {f(row['turns_per_s'], 1)} | {row['failed_turns']} | {f(ratio, 2)}x |"
        )
    L += [
        "",
        "## Where the Rasa server's CPU went (py-spy, share of samples, inclusive)",
        "",
        "| part of a turn | before | after |",
        "|---|---|---|",
    ]
    for name, _ in PARTS:
        L.append(
            f"| {name} | {f(r['profile']['before']['parts'][name])} % | {f(r['profile']['after']['parts'][name])} % |"
        )
    b, a = r["profile"]["before"], r["profile"]["after"]
    L += [
        f"| busy time sampled (s, non-idle samples at {r['rate']} Hz) over {b['turns']} / {a['turns']} turns "
        f"| {b['samples']:.1f} | {a['samples']:.1f} |",
        f"| busy time per turn (ms) | {1000 * b['samples'] / b['turns']:.0f} | {1000 * a['samples'] / a['turns']:.0f} |",
        "",
        "Busy time counts a thread that is runnable but waiting for a core as busy, so on a loaded machine it "
        "exceeds CPU time; the before/after ratio and the shares are what to read.",
        "",
        "Files: `reports/profile-before.json`, `reports/profile-after.json` (speedscope; open at https://www.speedscope.app).",
        "",
    ]
    return "\n".join(L)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    ap.add_argument("--no-starter", action="store_true")
    ap.add_argument("--render-only", action="store_true", help="rewrite reports/profile.md from reports/profile.json")
    ap.add_argument("--starter-project", type=Path, help="a `rasa init` project already trained (skips its training)")
    args = ap.parse_args()
    if args.render_only:
        OUT_MD.write_text(render(json.loads((ROOT / "reports" / "profile.json").read_text())))
        return 0
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    date, machine = now_utc(), machine_info()
    tmp = Path(tempfile.mkdtemp(prefix="rasa-profile-"))
    bots: Dict[str, object] = {}
    try:
        before_endpoints = tmp / "endpoints-before.yml"
        before_endpoints.write_text(BEFORE_ENDPOINTS)
        for name, endpoints in (("before", before_endpoints), ("after", ROOT / "endpoints.yml")):
            folder = tmp / name
            folder.mkdir()
            bot = OurBot(folder, MODEL)
            argv = bot.stack.services["rasa server"].argv
            argv[argv.index("--endpoints") + 1] = str(endpoints)
            step(f"starting this assistant ({name})")
            bot.start()
            bots[name] = bot
        if not args.no_starter:
            project = args.starter_project
            if not project:
                step("`rasa init --no-prompt` (the starter bot)")
                project = starter_init(tmp)["project"]
            step("starting the starter bot")
            starter = StarterBot(project)
            starter.load_timeout = 900  # model loading is slow on a busy machine
            starter.start()
            bots["starter bot"] = starter
        for name, bot in bots.items():
            asyncio.run(run_level(bot.url, STARTER if name == "starter bot" else SCREENING, 1, 1, 120, "warmup"))
        latency: List[dict] = []
        for rnd in range(1, args.rounds + 1):
            for name, bot in bots.items():
                script = STARTER if name == "starter bot" else SCREENING
                res = asyncio.run(run_level(bot.url, script, 10, 20, 240, name.replace(" ", "")))
                res.update(bot=name if name == "starter bot" else f"this assistant, {name}", round=rnd)
                step(
                    f"{res['bot']} round {rnd}: p95 {f(res['p95_ms'])} ms, {f(res['turns_per_s'], 1)} turns/s, "
                    f"{res['failed_turns']} failed"
                )
                latency.append(res)
        profiles = {}
        for name in ("before", "after"):
            step(f"py-spy on the Rasa server ({name})")
            profiles[name] = profile(bots[name], ROOT / "reports" / f"profile-{name}.json", 10, args.rate)
            rows = tracker_rows(tmp / name / "tracker.db")
            if rows == 0:  # a custom store that failed to import would silently be in-memory
                raise RuntimeError(f"{name}: no events in the SQLite tracker store")
            step(f"  {name}: {rows} events stored in the SQLite tracker store")
    finally:
        for bot in bots.values():
            bot.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    report = {
        "date": date,
        "machine": machine,
        "rounds": args.rounds,
        "rate": args.rate,
        "latency": [{k: v for k, v in row.items() if k not in ("senders", "last_replies")} for row in latency],
        "profile": profiles,
    }
    md = render(report)
    OUT_MD.write_text(md)
    (ROOT / "reports" / "profile.json").write_text(json.dumps(report, indent=2, default=str))
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
