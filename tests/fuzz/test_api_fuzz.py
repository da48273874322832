"""Schemathesis against docs/openapi.yaml (lead API and /chat) on a real web app: no server errors.

Schemathesis needs newer jsonschema/attrs than Rasa 3.6 allows, so it runs from its own virtualenv
(.venv-fuzz, `make fuzz-deps`); this test drives its CLI. Rasa is a stub that answers every turn,
so a 5xx can only come from the web app itself.
"""

from __future__ import annotations

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.services import free_port, lead, staff_stack, store_for

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = ROOT / ".venv-fuzz" / "bin" / "schemathesis"
EXAMPLES = "25"  # per operation (4 operations + their negative cases): about a minute on 2 busy cores


class RasaTurns(BaseHTTPRequestHandler):
    """Answers every REST-channel turn with one text; trackers are unknown (transcript_error path)."""

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(200, [{"text": "Thanks, noted.", "buttons": [{"title": "Yes", "payload": "yes"}]}])

    def do_GET(self):  # noqa: N802
        self._send(404, {"message": "unknown conversation"})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_no_server_errors(tmp_path):
    if not SCHEMATHESIS.exists():
        pytest.fail("schemathesis is not installed: run `make fuzz-deps` (creates .venv-fuzz)")
    rasa = ThreadingHTTPServer(("127.0.0.1", free_port()), RasaTurns)
    threading.Thread(target=rasa.serve_forever, daemon=True).start()
    try:
        with staff_stack("sqlite", tmp_path, RASA_URL=f"http://127.0.0.1:{rasa.server_port}") as site:
            store = store_for(site.db)
            store.save(lead(full_name="Ana Alvarez", conversation_id="conv-fuzz"))
            store.engine.dispose()
            run = subprocess.run(
                [
                    str(SCHEMATHESIS),
                    "run",
                    str(ROOT / "docs" / "openapi.yaml"),
                    "--base-url",
                    site.url,
                    "-H",
                    f"Authorization: Bearer {site.token}",
                    "--checks",
                    "not_a_server_error",
                    "--hypothesis-max-examples",
                    EXAMPLES,
                    "--hypothesis-seed",
                    "11",
                    "--hypothesis-deadline",
                    "None",
                    "--no-color",
                ],
                capture_output=True,
                text=True,
                timeout=240,
                cwd=tmp_path,
            )
            log = site.server.log()
    finally:
        rasa.shutdown()
        rasa.server_close()
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "POST /chat" in run.stdout and "GET /api/leads" in run.stdout  # both were fuzzed
    assert "Traceback" not in log, log[-3000:]
