"""`make run`'s process runner: refuses a bad policy, restarts a crashed server, gives up on repeated crashes.

The whole runner with the real servers (a killed server restarted, Ctrl-C) is tests/stack/test_runner_stack.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.support.stack import ROOT, runner_env


def test_malformed_policy_stops_start_up_naming_the_key(tmp_path):
    bad = tmp_path / "policy.yml"
    text = (ROOT / "clinic_policy.yml").read_text().replace("pregnant: exclude", "pregnant: maybe")
    bad.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "bot.runner"],
        cwd=ROOT,
        env=runner_env(tmp_path, CLINIC_POLICY=str(bad)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "criteria.pregnant" in result.stderr


def _tiny_stack(tmp_path, argv):
    """A Stack whose one 'server' is a small real process, to exercise supervision quickly."""
    from bot import runner

    stack = runner.Stack(env={"TRACKER_DB": str(tmp_path / "t.db")}, quiet=True)
    stack.services = {"crasher": runner.Service("crasher", argv, "http://127.0.0.1:9/")}
    return stack


def test_a_crashed_server_is_restarted_with_backoff_and_its_status_logged(tmp_path):
    stack = _tiny_stack(tmp_path, [sys.executable, "-c", "import time; time.sleep(0.2); raise SystemExit(3)"])
    logged = []
    stack.start()
    try:
        first = stack.services["crasher"].process.pid
        deadline = time.time() + 10
        while stack.services["crasher"].restarts < 1 and time.time() < deadline:
            assert stack.supervise_once(log=logged.append) is None
            time.sleep(0.05)
        assert stack.services["crasher"].restarts == 1
        assert stack.services["crasher"].process.pid != first
        assert any("crasher exited with status 3; restarting in 1s" in m for m in logged)
    finally:
        stack.stop()


def test_repeated_crashes_in_the_window_give_up_naming_the_server(tmp_path, monkeypatch):
    from bot import runner

    monkeypatch.setattr(runner, "MAX_BACKOFF_S", 0.05)
    stack = _tiny_stack(tmp_path, [sys.executable, "-c", "raise SystemExit(4)"])
    stack.start()
    try:
        deadline = time.time() + 30
        failing = None
        while failing is None and time.time() < deadline:
            failing = stack.supervise_once(log=lambda m: None)
            time.sleep(0.02)
        assert failing is not None and failing.name == "crasher"
        assert failing.restarts == runner.MAX_CRASHES
        assert "crasher exited with code 4" in stack.death_message(failing)
    finally:
        stack.stop()


def test_processes_starting_at_once_on_a_fresh_clone_agree_on_one_secret(tmp_path):
    """Test tiers and servers start in parallel; each must read the secret the first one wrote to .env."""
    env_file = tmp_path / ".env"
    code = (
        "import secrets, sys; from pathlib import Path; from bot.settings import ensure_env_value; "
        "print(ensure_env_value('SECRET_UNDER_TEST', lambda: secrets.token_hex(8), Path(sys.argv[1])))"
    )
    env = {k: v for k, v in os.environ.items() if k != "SECRET_UNDER_TEST"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(env_file)], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(8)
    ]
    values = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(values) == 1 and all(len(v) == 16 for v in values)
    assert env_file.read_text().splitlines() == [f"SECRET_UNDER_TEST={values.pop()}"]
    assert env_file.stat().st_mode & 0o777 == 0o600
