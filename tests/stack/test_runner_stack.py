"""`make run`'s process runner with the real servers: a killed server is restarted, Ctrl-C stops all three."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.support.stack import MODEL, ROOT, runner_env


@pytest.mark.stack
def test_a_killed_server_is_restarted_and_answers_again(tmp_path):
    assert MODEL.exists(), "make train first"
    env = runner_env(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.runner"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
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
        pids = {
            m.group(1): int(m.group(2))
            for m in re.finditer(r"  (web app|Rasa server|action server)\b.*\(pid (\d+)\)", ready)
        }
        os.killpg(pids["action server"], signal.SIGKILL)
        for line in proc.stdout:
            output.append(line)
            if "action server restarted" in line:
                break
            assert time.time() < deadline, "the action server was not restarted"
        assert proc.poll() is None, "the runner must keep running"
        assert "action server exited with status -9" in "".join(output)
        import httpx

        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{env['ACTION_PORT']}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("the restarted action server never answered")
        for name in ("web app", "Rasa server"):
            os.kill(pids[name], 0)  # untouched: still running
        proc.send_signal(signal.SIGINT)  # Ctrl-C still stops all three
        proc.communicate(timeout=60)
        assert proc.returncode == 0
        for name in pids:
            with pytest.raises(ProcessLookupError):
                os.kill(pids[name], 0)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
