"""The architecture rules of docs/architecture.md, checked on every `make unit` (not only by `make lint`).

The import contracts live in pyproject.toml ([tool.importlinter]); each runs as its own test, so a failure names
the broken contract and shows the imports that break it. The cycle check is scripts/check_import_cycles.py.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import subprocess
import sys

import grimp
import pytest

from tests.support import ROOT

PYPROJECT = ROOT / "pyproject.toml"


def _contract_ids() -> list[str]:
    from importlinter import api

    return [contract["id"] for contract in api.read_configuration(str(PYPROJECT))["contracts_options"]]


def _cycle_checker():
    spec = importlib.util.spec_from_file_location("check_import_cycles", ROOT / "scripts" / "check_import_cycles.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_contract_has_an_id():
    ids = _contract_ids()
    assert len(ids) == len(set(ids)) >= 5 and all(ids)


@pytest.mark.parametrize("contract", _contract_ids())
def test_import_contract_is_kept(contract, monkeypatch):
    from importlinter.application import use_cases

    monkeypatch.chdir(ROOT)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        kept = use_cases.lint_imports(
            config_filename=str(PYPROJECT), limit_to_contracts=(contract,), cache_dir=None, no_logo=True
        )
    assert kept, f"import contract {contract!r} is broken (pyproject.toml, docs/architecture.md):\n{printed.getvalue()}"


def test_no_import_cycles_anywhere():
    checker = _cycle_checker()
    graph = grimp.build_graph(*checker.ROOT_PACKAGES, cache_dir=None)
    assert checker.find_cycles(graph) == []


def test_cycle_check_names_a_cycle_across_packages_and_through_an_init():
    checker = _cycle_checker()
    graph = grimp.build_graph(*checker.ROOT_PACKAGES, cache_dir=None)
    graph.add_import(importer="bot.infra.clock", imported="actions.context")  # actions.context -> ... -> clock
    graph.add_import(importer="bot.staff", imported="bot.staff.audit")
    graph.add_import(importer="bot.staff.audit", imported="bot.staff")
    cycles = checker.find_cycles(graph)
    assert any(
        line.startswith("bot.infra.clock imports actions.context, which leads back: actions.context -> ")
        for line in cycles
    ), cycles
    assert "bot.staff imports bot.staff.audit, which leads back: bot.staff.audit -> bot.staff" in cycles


BLOCKER = """
import importlib.abc, pkgutil, sys

BLOCKED = {"rasa", "rasa_sdk", "sanic", "sqlalchemy"}

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked: bot.screening must not need it")
        return None

sys.meta_path.insert(0, Blocker())
import bot.screening
for info in pkgutil.walk_packages(bot.screening.__path__, "bot.screening."):
    __import__(info.name)
from bot.screening.lexicon import load_lexicon
from bot.screening.policy import load_policy
load_policy(), load_lexicon()
print(sorted(name for name in sys.modules if name.startswith("bot.screening.")))
"""


def test_screening_works_without_rasa_sanic_or_sqlalchemy_installed():
    """The conversation's rules import (and load the policy and lexicon) with those packages made unimportable."""
    done = subprocess.run(
        [sys.executable, "-c", BLOCKER],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "'bot.screening.flow'" in done.stdout and "'bot.screening.messages'" in done.stdout
