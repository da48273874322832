"""The action server's methods on real trackers: each extract/validate method and each custom action."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.actions import (
    ActionAnswerFaq,
    ActionAskMedicationsConfirmed,
    ActionCrisisResponse,
    ActionExplainQuestion,
    ActionHumanHandoff,
    ActionScreeningOutcome,
    ActionStoreLead,
)
from actions.forms import ValidateContactForm, ValidateScreeningForm

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
NO_ANSWERS = dict.fromkeys(
    ["pregnant", "psychosis_history", "heart_condition", "liver_disease", "substance_use", "ketamine_reaction",
     "pressure_condition", "seizure_history"], False)


@pytest.fixture(autouse=True)
def lead_db(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'leads.db'}")
    for cached in (context.settings, context.policy, context.lead_store):
        cached.cache_clear()
    yield
    for cached in (context.settings, context.policy, context.lead_store):
        cached.cache_clear()


def tracker(text: str = "", intent: str = "inform", requested: str | None = None, entities=(), sender="conv-1", **slots):
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots)
    all_slots["requested_slot"] = requested
    message = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": list(entities)}
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text, "parse_data": message}]
    return Tracker(sender, all_slots, message, events, False, None, {"name": None}, "action_listen")


def run_form(form, t: Tracker):
    dispatcher = CollectingDispatcher()
    # a fresh thread: other test modules may leave an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        events = pool.submit(asyncio.run, form.run(dispatcher, t, DOMAIN)).result()
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, dispatcher.messages


def test_multi_fact_message_fills_every_slot_it_answers():
    t = tracker("I'm 45, I have CRPS and I take Xanax", requested="age", health_data_consent=True)
    slots, _ = run_form(ValidateScreeningForm(), t)
    assert slots["age"] == 45.0
    assert slots["condition"] == "crps"
    assert slots["medications"] == ["alprazolam"]
    assert slots["medications_typed"] == ["Xanax"]
    assert "pain_duration_months" not in slots  # asked next, not guessed


def test_correction_updates_age_and_adds_a_medication():
    slots, _ = run_form(ValidateScreeningForm(), tracker("actually I'm 46", requested="pregnant", age=45.0))
    assert slots["age"] == 46.0
    slots, _ = run_form(
        ValidateScreeningForm(),
        tracker("I also take Lamictal", requested="pregnant", medications=["alprazolam"], medications_typed=["Xanax"],
                medications_confirmed=True),
    )
    assert slots["medications"] == ["alprazolam", "lamotrigine"]
    assert slots["medications_confirmed"] is None


def test_medication_read_back_fix_clears_the_list_and_asks_again():
    t = tracker("no", intent="deny", requested="medications_confirmed", age=40.0, condition="crps",
                pain_duration_months=12.0, pain_severity=6.0, prior_treatments="pt", medications=["alprazolam"],
                medications_typed=["Xanax"])
    slots, messages = run_form(ValidateScreeningForm(), t)
    assert slots["medications"] is None and slots["medications_confirmed"] is None
    assert any(m.get("response") == "utter_medications_fix" for m in messages)


def test_unrecognised_answer_is_asked_again_with_a_clear_message():
    slots, messages = run_form(ValidateScreeningForm(), tracker("banana", requested="age"))
    assert slots["age"] is None
    assert [m.get("response") for m in messages] == ["utter_did_not_understand"]


def test_faq_mid_form_fills_nothing_so_the_form_rule_answers():
    slots, messages = run_form(ValidateScreeningForm(), tracker("is it addictive?", intent="faq_addictive", requested="prior_treatments"))
    assert "prior_treatments" not in slots and messages == []


def test_minor_gets_no_more_questions():
    slots, messages = run_form(ValidateScreeningForm(), tracker("I'm 16", requested="age"))
    assert slots["age"] == 16.0 and slots["requested_slot"] is None
    assert "only treats adults" in messages[0]["text"]


def test_contact_form_validates_email_and_normalises_phone():
    slots, messages = run_form(ValidateContactForm(), tracker("jane at example", requested="email", full_name="Jane"))
    assert slots["email"] is None and messages[0]["response"] == "utter_invalid_email"
    slots, _ = run_form(ValidateContactForm(), tracker("303 555 0142", requested="phone", full_name="Jane", email="j@example.com"))
    assert slots["phone"] == "+13035550142"


def test_contact_is_offered_not_pressed_when_not_eligible():
    slots, _ = run_form(ValidateContactForm(), tracker("no", intent="deny", requested="contact_wanted", screening_outcome="not_eligible"))
    assert slots["contact_wanted"] is False and slots["requested_slot"] is None


def test_read_back_names_each_class():
    dispatcher = CollectingDispatcher()
    ActionAskMedicationsConfirmed().run(dispatcher, tracker(medications_typed=["Xanax", "lamictle", "brixadolum"]), DOMAIN)
    text = dispatcher.messages[0]["text"]
    assert "Xanax (alprazolam), a benzodiazepine" in text
    assert "brixadolum (a name I don't recognise" in text
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["yes", "no"]


def test_outcome_then_store_lead_writes_one_lead():
    answers = dict(age=50.0, condition="fibromyalgia", pain_duration_months=24.0, pain_severity=8.0, prior_treatments="pt",
                   medications=["oxycodone"], medications_confirmed=True, **NO_ANSWERS)
    dispatcher = CollectingDispatcher()
    events = ActionScreeningOutcome().run(dispatcher, tracker(**answers), DOMAIN)
    outcome = {e["name"]: e["value"] for e in events}
    assert outcome["screening_outcome"] == "qualified" and outcome["outcome_reasons"] == []
    assert "may be an option" in dispatcher.messages[0]["text"]
    t = tracker(**answers, **outcome, full_name="Sam", email="sam@example.com", phone="+13035550142",
                preferred_contact_time="mornings", contact_consent=True)
    dispatcher = CollectingDispatcher()
    events = ActionStoreLead().run(dispatcher, t, DOMAIN)
    lead_id = events[0]["value"]
    lead = context.lead_store().get(lead_id)
    assert lead["outcome"] == "qualified" and lead["full_name"] == "Sam"
    assert lead["medications"][0]["outcome"] == "note"
    assert lead_id in dispatcher.messages[0]["text"]


def test_store_failure_tells_the_visitor_and_leaves_no_lead(monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(_lead):
        raise OperationalError("insert", {}, Exception("disk full"))

    monkeypatch.setattr(context.lead_store(), "save", broken)
    dispatcher = CollectingDispatcher()
    events = ActionStoreLead().run(dispatcher, tracker(screening_outcome="qualified"), DOMAIN)
    assert events == []
    assert "try again" in dispatcher.messages[0]["text"]


def test_crisis_response_gives_988_and_911_and_flags_the_lead_urgent():
    dispatcher = CollectingDispatcher()
    events = ActionCrisisResponse().run(dispatcher, tracker("i want to die", intent="crisis", age=30.0), DOMAIN)
    text = dispatcher.messages[0]["text"]
    assert "988" in text and "911" in text and "988lifeline.org" in text
    lead_id = [e["value"] for e in events if e.get("name") == "lead_id"][0]
    assert context.lead_store().get(lead_id)["urgent"] is True


def test_human_handoff_records_what_is_known():
    dispatcher = CollectingDispatcher()
    events = ActionHumanHandoff().run(dispatcher, tracker("talk to a person", intent="request_human", age=30.0, condition="migraine"), DOMAIN)
    lead_id = [e["value"] for e in events if e.get("name") == "lead_id"][0]
    lead = context.lead_store().get(lead_id)
    assert lead["human_requested"] is True and lead["answers"]["condition"] == "migraine"


def test_faq_and_why_answers():
    dispatcher = CollectingDispatcher()
    ActionAnswerFaq().run(dispatcher, tracker("how much is it", intent="faq_cost"), DOMAIN)
    assert "insur" in dispatcher.messages[0]["text"]
    dispatcher = CollectingDispatcher()
    ActionExplainQuestion().run(dispatcher, tracker("why?", intent="why_ask", requested="pregnant"), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_why_pregnant"


def test_faq_outside_a_form_offers_the_next_step_and_mid_form_does_not():
    dispatcher = CollectingDispatcher()
    ActionAnswerFaq().run(dispatcher, tracker("is it addictive", intent="faq_addictive"), DOMAIN)
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/check_eligibility", "/request_human"]
    dispatcher = CollectingDispatcher()
    mid_form = tracker("is it addictive", intent="faq_addictive", requested="age")
    mid_form.active_loop = {"name": "screening_form"}
    ActionAnswerFaq().run(dispatcher, mid_form, DOMAIN)
    assert dispatcher.messages[0]["buttons"] == []


def test_read_back_keeps_what_was_understood_in_context():
    """'fentanyl off the street' is read back as a counted substance, 'vitamin d' as a supplement."""
    dispatcher = CollectingDispatcher()
    slots = dict(medications=["street fentanyl", "cholecalciferol"], medications_typed=["fentanyl", "vitamin d"])
    ActionAskMedicationsConfirmed().run(dispatcher, tracker(**slots), DOMAIN)
    text = dispatcher.messages[0]["text"]
    assert "- fentanyl, a non-prescribed substance (counted as substance use)" in text
    assert "Vitamin d (cholecalciferol), a supplement" in text
