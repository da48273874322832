"""rasa_plugins.speedups in a fresh Python process, as Rasa starts (importing Rasa there takes a while)."""

from __future__ import annotations


def test_importing_the_tracker_store_installs_them():
    """What Rasa does at start-up (a fresh process): importing the store's module installs the speedups."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import rasa_plugins.speedups as s; assert not s.installed(); "
        "import rasa_plugins.tracker_store; assert s.installed(); "
        "from rasa.shared.core.events import Event; assert hasattr(Event.resolve_by_type, 'lean_cache')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env=dict(os.environ, PYTHONPATH=str(root)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
