"""Never lose an answer: the real stack under load and faults (issue 8), as `make run` runs it.

One supervised stack (Rasa server, action server, web app; crashed servers restarted as
`make run` does) on free loopback ports, SQLite stores. Visitors play whole screenings through
the web app's /chat with message ids and resends, as the widget does. Bounded: 200 + 30
conversations, each fault under two minutes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List

import httpx
import pytest

from tests.support.stack import MODEL, ROOT, RunningStack, append_report

sys.path.insert(0, str(ROOT / "scripts"))
from visitor import Profile, Result, check_lead, check_tracker_events, p95_ms, run_visitors  # noqa: E402

pytestmark = pytest.mark.stack
REPORT = ROOT / "reports" / "reliability.md"
# The lock probe holds leads.db this long: five times the store's busy timeout (bot/infra/db.py), and long enough for
# 10 whole screenings to reach their lead (about 11 s on this machine).
LOCK_HELD_S = 25
USED: List[Profile] = []  # every visitor of this module, for the log scan at the end


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    running = RunningStack(tmp_path_factory.mktemp("reliability"), supervise=True)
    running.start()
    yield running
    running.stop()


def play(stack: RunningStack, first: int, count: int, tag: str, resend_for_s: float = 150.0) -> List[Result]:
    profiles = [Profile.make(i) for i in range(first, first + count)]
    USED.extend(profiles)
    return asyncio.run(run_visitors(stack.web_url, profiles, tag, resend_for_s=resend_for_s)), profiles


def tracker_events(stack: RunningStack, sender: str) -> list:
    resp = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token}, timeout=60)
    resp.raise_for_status()
    return resp.json()["events"]


def assert_all_intact(stack: RunningStack, results: List[Result], profiles: List[Profile]) -> None:
    """Each visitor finished with exactly one lead holding exactly their answers, each stored once."""
    problems: Dict[str, List[str]] = {}
    for result, profile in zip(results, profiles):
        issues = [result.error] if result.error else []
        leads = stack.leads.for_conversation(result.sender)
        if len(leads) != 1:
            issues.append(f"{len(leads)} leads for the conversation")
        else:
            issues += check_lead(leads[0], profile)
            if result.lead_id and leads[0]["id"] != result.lead_id:
                issues.append("the reference number shown is not the stored lead")
        issues += check_tracker_events(tracker_events(stack, result.sender), result)
        if result.empty_replies:
            issues.append(f"{result.empty_replies} empty replies")
        if issues:
            problems[result.sender] = issues
    assert not problems, f"{len(problems)} of {len(results)} conversations lost something: " + repr(
        dict(list(problems.items())[:5])
    )


def report(line: str) -> None:
    append_report(
        REPORT,
        "Reliability run",
        "Written by tests/stack/test_reliability.py (`make test`, stack tier). Real stack, SQLite stores.",
        line,
    )


def test_200_whole_screenings_at_once_each_lead_equals_what_was_sent(stack):
    """The p95 per turn at 50 at once is reported by `make bench` (reports/bench.md), for both profiles."""
    if REPORT.exists():
        REPORT.unlink()
    start = time.monotonic()
    results, profiles = play(stack, 0, 200, "load", resend_for_s=240)
    wall = time.monotonic() - start
    empty = sum(r.empty_replies for r in results)
    report(
        f"200 concurrent whole screenings: {sum(1 for r in results if r.lead_id)} reference numbers, {empty} empty "
        f"replies, {sum(r.resends for r in results)} resends, p95 {p95_ms(results):.0f} ms, {wall:.0f} s"
    )
    assert empty == 0
    assert_all_intact(stack, results, profiles)


def _answers_stored(stack: RunningStack, tag: str) -> int:
    """How many visitor messages of this test's conversations Rasa has stored so far."""
    try:
        with sqlite3.connect(f"file:{stack.tracker_db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute(
                "SELECT count(*) FROM events WHERE sender_id LIKE ? AND type_name = 'user'", (f"{tag}-%",)
            ).fetchone()[0]
    except sqlite3.Error:
        return 0


def _kill_during(stack: RunningStack, server: str, first: int, tag: str, after_answers: int = 40):
    """10 conversations in flight; `server` is killed with SIGKILL once they have sent `after_answers` messages
    between them (about a fifth of the way), so the kill always lands mid-conversation however fast the machine."""
    old_pid, old_restarts = stack.pid(server), stack.restarts(server)

    def kill() -> None:
        deadline = time.monotonic() + 120
        while _answers_stored(stack, tag) < after_answers and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(old_pid, signal.SIGKILL)

    killer = threading.Thread(target=kill)
    killer.start()
    results, profiles = play(stack, first, 10, tag, resend_for_s=240)
    killer.join()
    assert stack.restarts(server) == old_restarts + 1, f"{server} was not restarted"
    assert stack.pid(server) != old_pid
    stack.wait_healthy(server)
    return results, profiles


def test_action_server_killed_mid_conversation_is_restarted_and_nothing_is_lost(stack):
    results, profiles = _kill_during(stack, "action server", 300, "killaction")
    report(
        f"action server SIGKILLed with 10 conversations in flight: restarted; "
        f"{sum(r.resends for r in results)} messages resent, all 10 leads intact"
    )
    assert_all_intact(stack, results, profiles)


def test_rasa_killed_mid_conversation_is_restarted_and_a_retry_is_never_applied_twice(stack):
    results, profiles = _kill_during(stack, "rasa server", 310, "killrasa", after_answers=60)
    report(
        f"Rasa server SIGKILLed with 10 conversations in flight: restarted; "
        f"{sum(r.resends for r in results)} messages resent, all 10 leads intact"
    )
    # check_tracker_events (in assert_all_intact) fails if a resent message was stored twice or
    # arrived while another question was open.
    assert_all_intact(stack, results, profiles)


def test_locked_lead_store_stalls_no_one_and_each_conversation_gets_one_lead(stack):
    db = Path(stack.database_url[len("sqlite:///") :])
    token = (
        subprocess.run(
            [sys.executable, "-m", "bot", "token", "add", "reliability"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "DATABASE_URL": stack.database_url},
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    locked = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        conn = sqlite3.connect(db, isolation_level=None, timeout=30)
        conn.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(LOCK_HELD_S)
        conn.execute("ROLLBACK")
        conn.close()

    probes: Dict[str, List[float]] = {"health": [], "staff": [], "turn": []}
    staff: List[int] = []

    def probe() -> None:
        """While the lock is held: health checks and a fresh visitor's first turns answer fast."""
        locked.wait()
        with httpx.Client(timeout=30) as client:
            while not release.is_set():
                for url in (f"{stack.web_url}/healthz", f"{stack.action_url}/health", f"{stack.rasa_url}/"):
                    t0 = time.perf_counter()
                    client.get(url).raise_for_status()
                    probes["health"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                staff.append(
                    client.get(f"{stack.web_url}/api/leads", headers={"Authorization": f"Bearer {token}"}).status_code
                )
                probes["staff"].append(time.perf_counter() - t0)
                sender = f"probe-{time.monotonic_ns()}"
                for text in ("hello", "yes"):
                    t0 = time.perf_counter()
                    resp = client.post(f"{stack.web_url}/chat", json={"sender": sender, "message": text})
                    assert resp.status_code == 200, resp.text
                    probes["turn"].append(time.perf_counter() - t0)
                time.sleep(0.5)

    locker = threading.Thread(target=hold_lock)
    locker.start()
    prober = threading.Thread(target=probe)
    prober.start()
    timer = threading.Timer(LOCK_HELD_S, release.set)
    timer.start()
    try:
        results, profiles = play(stack, 320, 10, "lockdb", resend_for_s=150)
    finally:
        release.set()
        locker.join()
        prober.join()
    slowest = {kind: max(times) for kind, times in probes.items() if times}
    report(
        f"leads.db locked for {LOCK_HELD_S} s with 10 conversations in flight: slowest health check "
        f"{slowest.get('health', 0):.2f} s, other visitor's turn {slowest.get('turn', 0):.2f} s, staff API "
        f"{slowest.get('staff', 0):.2f} s ({sum(map(len, probes.values()))} probes; staff API answered "
        f"{sorted(set(staff))}); {sum(r.resends for r in results)} messages resent, 10 leads, one each"
    )
    # the issue's bar: health checks and other visitors' turns within 2 s; the staff API may say 503 instead
    assert probes["health"] and probes["turn"] and max(slowest["health"], slowest["turn"]) < 2.0, slowest
    assert set(staff) <= {200, 503}, "a busy database is a clear 503, never a 500 or a hang"
    assert sum(r.resends for r in results) > 0, "the lock was released before any visitor's lead was due"
    assert_all_intact(stack, results, profiles)


def test_no_server_log_holds_a_visitors_health_data_or_contact_details(stack):
    assert len(USED) >= 230, "run with the rest of this module"  # 200 at once + 3 faults x 10
    logs = stack.logs()
    assert "Exception" in logs or "failed" in logs, "the fault tests should have left their traces"
    leaked = sorted({word for profile in USED for word in profile.planted if word in logs})
    assert not leaked, f"planted words found in the server logs: {leaked[:10]}"
    for text in ("hi, am I a candidate for ketamine?", "weekday mornings"):
        assert text not in logs
