"""rasa_plugins.speedups changes speed only: the same events and the same validation errors as Rasa."""

from __future__ import annotations

import datetime

import pytest
import rasa.shared.utils.common
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events as ev

from rasa_plugins import speedups

SAMPLES = {  # one event of every type Rasa 3.6 defines, with non-default fields where it has them
    "user": ev.UserUttered(
        "I have CRPS",
        {"name": "inform", "confidence": 0.9},
        [{"entity": "condition", "value": "crps", "start": 7, "end": 11}],
        parse_data={"text": "I have CRPS"},
        input_channel="rest",
        message_id="m1",
    ),
    "slot": ev.SlotSet("age", 45.0),
    "reminder": ev.ReminderScheduled("EXTERNAL_x", datetime.datetime(2030, 1, 1), name="r", entities=[{"a": 1}]),
    "cancel_reminder": ev.ReminderCancelled(name="r", intent="EXTERNAL_x"),
    "export": ev.StoryExported("story.yml"),
    "followup": ev.FollowupAction("action_store_lead"),
    "action": ev.ActionExecuted("action_listen", policy="RulePolicy", confidence=1.0, hide_rule_turn=True),
    "active_loop": ev.ActiveLoop("screening_form"),
    "restart": ev.Restarted(),
    "rewind": ev.UserUtteranceReverted(),
    "reset_slots": ev.AllSlotsReset(),
    "undo": ev.ActionReverted(),
    "pause": ev.ConversationPaused(),
    "resume": ev.ConversationResumed(),
    "session_started": ev.SessionStarted(),
    "user_featurization": ev.DefinePrevUserUtteredFeaturization(True),
    "entities": ev.EntitiesAdded([{"entity": "medication", "value": "gabapentin"}]),
    "bot": ev.BotUttered(
        "How old are you?", {"buttons": [{"title": "x", "payload": "/y"}]}, {"utter_action": "utter_ask_age"}
    ),
    "agent": ev.AgentUttered("hi"),
    "loop_interrupted": ev.LoopInterrupted(True),
    "action_execution_rejected": ev.ActionExecutionRejected("screening_form", policy="RulePolicy", confidence=0.5),
    "form_validation": ev.LegacyFormValidation(False),
    "form": ev.LegacyForm("screening_form"),
}
DICTS = [dict(e.as_dict(), timestamp=1700000000.0 + i) for i, e in enumerate(SAMPLES.values())]
BAD_RESPONSES = [
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},  # a slot event without a name
    {"events": [{"event": "action", "name": 3}]},
    {"responses": "text"},
    {"responses": [1, 2]},
    [],
]


@pytest.fixture
def restore():
    was = speedups.installed()
    yield
    (speedups.install if was else speedups.uninstall)()


def deserialise(dicts):
    return [(type(e), e.as_dict()) for e in ev.deserialise_events(dicts)]


def errors(responses):
    action = RemoteAction("action_x", None)
    out = []
    for response in responses:
        try:
            out.append(action._validate_action_result(response))
        except ValidationError as e:
            out.append((e.message, list(e.path), list(e.schema_path), e.validator))
    return out


def test_samples_cover_every_event_type_rasa_has():
    assert {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(ev.Event)} == set(SAMPLES)


def test_same_events_same_errors_with_and_without_speedups(restore):
    speedups.uninstall()
    rasa_events, rasa_errors = deserialise(DICTS), errors(BAD_RESPONSES + [{"events": DICTS}])
    rasa_unknown = [ev.Event.resolve_by_type("topic"), ev.Event.resolve_by_type("nope", ev.SlotSet)]
    with pytest.raises(ValueError) as rasa_exc:
        ev.Event.resolve_by_type("nope")
    speedups.install()
    speedups.install()  # idempotent
    for _ in range(2):  # the second pass is served from the cache
        assert deserialise(DICTS) == rasa_events
        assert errors(BAD_RESPONSES + [{"events": DICTS}]) == rasa_errors
        assert [ev.Event.resolve_by_type("topic"), ev.Event.resolve_by_type("nope", ev.SlotSet)] == rasa_unknown
        with pytest.raises(ValueError) as exc:
            ev.Event.resolve_by_type("nope")
        assert str(exc.value) == str(rasa_exc.value)
    assert len(rasa_events) == len(SAMPLES) and rasa_errors[-1] is True
    assert sum(1 for e in rasa_errors if e is not True) == len(BAD_RESPONSES)


def test_the_expensive_steps_run_once(restore, monkeypatch):
    """Counted, not timed (the machine is shared): subclass walks and schema checks per call before, once after."""
    import jsonschema.validators

    calls = {"all_subclasses": 0, "check_schema": 0}
    walk, check = rasa.shared.utils.common.all_subclasses, jsonschema.validators.Draft7Validator.check_schema

    def counting_walk(cls):
        calls["all_subclasses"] += cls is ev.Event
        return walk(cls)

    def counting_check(schema):
        calls["check_schema"] += 1
        return check(schema)

    monkeypatch.setattr(rasa.shared.utils.common, "all_subclasses", counting_walk)
    monkeypatch.setattr(jsonschema.validators.Draft7Validator, "check_schema", staticmethod(counting_check))

    def run():
        calls.update(all_subclasses=0, check_schema=0)
        for _ in range(3):
            ev.deserialise_events(DICTS)
            errors([{"events": DICTS}])
        return dict(calls)

    speedups.uninstall()
    assert run() == {"all_subclasses": 3 * len(DICTS), "check_schema": 3}
    speedups.install()
    first = run()  # at most one walk per type name (its first sight), one schema check (first call)
    assert 0 < first["all_subclasses"] <= len(DICTS) and first["check_schema"] == 1
    assert run() == {"all_subclasses": 0, "check_schema": 0}
