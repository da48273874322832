"""`make run`'s process runner: refuses a bad policy, starts all three, stops all when one dies or on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MODEL, ROOT, free_port


def runner_env(tmp_path: Path, **extra: str) -> dict:
    env = dict(os.environ)
    env.update(
        RASA_AUTH_TOKEN="test-token-runner", RASA_PORT=str(free_port()), ACTION_PORT=str(free_port()),
        WEB_PORT=str(free_port()), DATABASE_URL=f"sqlite:///{tmp_path / 'leads.db'}", TRACKER_DB=str(tmp_path / "t.db"),
        PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false",
    )
    env.update(extra)
    return env


def test_malformed_policy_stops_start_up_naming_the_key(tmp_path):
    bad = tmp_path / "policy.yml"
    text = (ROOT / "clinic_policy.yml").read_text().replace("pregnant: exclude", "pregnant: maybe")
    bad.write_text(text)
    result = subprocess.run([sys.executable, "-m", "bot.runner"], cwd=ROOT, env=runner_env(tmp_path, CLINIC_POLICY=str(bad)),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "criteria.pregnant" in result.stderr


@pytest.mark.stack
def test_one_server_dying_stops_the_others_and_names_it(tmp_path):
    assert MODEL.exists(), "make train first"
    env = runner_env(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "bot.runner"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = []
    try:
        deadline = time.time() + 300
        for line in proc.stdout:
            output.append(line)
            if "action server:" in line and "pid" in line:
                break
            assert time.time() < deadline, "runner did not report ready"
        ready = "".join(output)
        assert f"http://127.0.0.1:{env['WEB_PORT']}/" in ready and f"http://127.0.0.1:{env['RASA_PORT']}" in ready
        pids = {m.group(1): int(m.group(2)) for m in re.finditer(r"  (web app|Rasa server|action server)\b.*\(pid (\d+)\)", ready)}
        os.killpg(pids["action server"], signal.SIGKILL)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 1
        assert "action server exited" in rest
        for name in ("web app", "Rasa server"):
            with pytest.raises(ProcessLookupError):
                os.kill(pids[name], 0)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
