"""Selective domain: the domain goes to the action server only for actions that read it."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import yaml
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config
from rasa_sdk import Action

import actions.actions
import actions.forms

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
CUSTOM = [
    a if isinstance(a, str) else next(iter(a)) for a in yaml.safe_load((ROOT / "domain.yml").read_text())["actions"]
]
READS_DOMAIN = re.compile(r"\bdomain\s*(\.|\[)")


def sdk_actions() -> dict:
    """name -> class, for every concrete rasa_sdk action in actions/."""
    found = {}
    for module in (actions.actions, actions.forms):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Action) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                found[cls().name()] = cls
    return found


def reads_domain(cls) -> bool:
    """True when the action's own code (not the SDK's) looks inside `domain`."""
    source = "".join(inspect.getsource(c) for c in cls.__mro__ if c.__module__.startswith("actions."))
    return bool(READS_DOMAIN.search(source))


def bodies(selective: bool) -> dict:
    tracker = DialogueStateTracker.from_events(
        "s1",
        [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted("action_listen"),
            UserUttered("I am 45", {"name": "inform", "confidence": 1.0}),
            SlotSet("age", 45.0),
        ],
        DOMAIN.slots,
    )
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook", enable_selective_domain=selective)
    return {name: json.dumps(RemoteAction(name, endpoint)._action_call_format(tracker, DOMAIN)) for name in CUSTOM}


def test_endpoints_yml_enables_selective_domain(monkeypatch):
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    monkeypatch.setenv("TRACKER_DB", "/nonexistent/tracker.db")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "not-a-real-secret")
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    assert config["action_endpoint"]["enable_selective_domain"] is True
    assert read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint").kwargs["enable_selective_domain"]


def test_domain_sent_exactly_to_the_actions_that_read_it():
    ours = sdk_actions()
    assert set(ours) == set(CUSTOM)
    needs = {name for name, cls in ours.items() if name.startswith("validate_") or reads_domain(cls)}
    assert "action_explain_question" in needs and "validate_screening_form" in needs  # the check sees real use
    sent = {name for name, body in bodies(selective=True).items() if '"domain":' in body}
    assert sent == needs


def test_request_is_smaller(capsys):
    full, lean = bodies(False), bodies(True)
    name = "action_store_lead"
    assert len(lean[name]) * 3 < len(full[name])
    print(f"{name}: {len(full[name])} bytes with the domain, {len(lean[name])} without")
