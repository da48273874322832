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
from bot.screening import messages

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
NO_ANSWERS = dict.fromkeys(
    [
        "pregnant",
        "psychosis_history",
        "heart_condition",
        "liver_disease",
        "substance_use",
        "ketamine_reaction",
        "pressure_condition",
        "seizure_history",
    ],
    False,
)


@pytest.fixture(autouse=True)
def lead_db(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'leads.db'}")
    for cached in (context.settings, context.policy, context.lead_store):
        cached.cache_clear()
    yield
    for cached in (context.settings, context.policy, context.lead_store):
        cached.cache_clear()


def tracker(
    text: str = "", intent: str = "inform", requested: str | None = None, entities=(), sender="conv-1", **slots
):
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots)
    all_slots["requested_slot"] = requested
    message = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": list(entities)}
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text, "parse_data": message}]
    return Tracker(sender, all_slots, message, events, False, None, {"name": None}, "action_listen")


def run_async_action(action, dispatcher, t: Tracker):
    """Run an async action in a fresh thread (other test modules may leave an event loop running)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, action.run(dispatcher, t, DOMAIN)).result()


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
        tracker(
            "I also take Lamictal",
            requested="pregnant",
            medications=["alprazolam"],
            medications_typed=["Xanax"],
            medications_confirmed=True,
        ),
    )
    assert slots["medications"] == ["alprazolam", "lamotrigine"]
    assert slots["medications_confirmed"] is None


def test_medication_read_back_fix_clears_the_list_and_asks_again():
    t = tracker(
        "no",
        intent="deny",
        requested="medications_confirmed",
        age=40.0,
        condition="crps",
        pain_duration_months=12.0,
        pain_severity=6.0,
        prior_treatments="pt",
        medications=["alprazolam"],
        medications_typed=["Xanax"],
    )
    slots, messages = run_form(ValidateScreeningForm(), t)
    assert slots["medications"] is None and slots["medications_confirmed"] is None
    assert any(m.get("response") == "utter_medications_fix" for m in messages)


def test_unrecognised_answer_is_asked_again_in_other_words():
    slots, messages = run_form(ValidateScreeningForm(), tracker("banana", requested="age"))
    assert slots["age"] is None and slots.get("requested_slot") in (None, "age")  # None: Rasa asks the next missing one
    assert slots["failed_slot"] == "age" and slots["failed_attempts"] == 1
    assert messages == []  # the form asks utter_ask_age's variation for failed_slot=age, not the same question


def test_faq_mid_form_fills_nothing_so_the_form_rule_answers():
    slots, messages = run_form(
        ValidateScreeningForm(), tracker("is it addictive?", intent="faq_addictive", requested="prior_treatments")
    )
    assert "prior_treatments" not in slots and messages == []


def test_minor_gets_no_more_questions():
    slots, messages = run_form(ValidateScreeningForm(), tracker("I'm 16", requested="age"))
    assert slots["age"] == 16.0 and slots["requested_slot"] is None
    assert "only treats adults" in messages[0]["text"]


def test_contact_form_validates_email_and_normalises_phone():
    slots, messages = run_form(ValidateContactForm(), tracker("jane at example", requested="email", full_name="Jane"))
    assert slots["email"] is None and slots["failed_slot"] == "email" and slots.get("requested_slot") in (None, "email")
    slots, _ = run_form(
        ValidateContactForm(), tracker("303 555 0142", requested="phone", full_name="Jane", email="j@example.com")
    )
    assert slots["phone"] == "+13035550142"


def test_contact_is_offered_not_pressed_when_not_eligible():
    slots, _ = run_form(
        ValidateContactForm(),
        tracker("no", intent="deny", requested="contact_wanted", screening_outcome="not_eligible"),
    )
    assert slots["contact_wanted"] is False and slots["requested_slot"] is None


def test_read_back_names_each_class():
    dispatcher = CollectingDispatcher()
    ActionAskMedicationsConfirmed().run(
        dispatcher, tracker(medications_typed=["Xanax", "lamictle", "brixadolum"]), DOMAIN
    )
    text = dispatcher.messages[0]["text"]
    assert "Xanax (alprazolam), a benzodiazepine" in text
    assert "brixadolum (a name I don't recognise" in text
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["yes", "no"]


def test_outcome_then_store_lead_writes_one_lead():
    answers = dict(
        age=50.0,
        condition="fibromyalgia",
        pain_duration_months=24.0,
        pain_severity=8.0,
        prior_treatments="pt",
        medications=["oxycodone"],
        medications_confirmed=True,
        **NO_ANSWERS,
    )
    dispatcher = CollectingDispatcher()
    events = ActionScreeningOutcome().run(dispatcher, tracker(**answers), DOMAIN)
    outcome = {e["name"]: e["value"] for e in events}
    assert outcome["screening_outcome"] == "qualified" and outcome["outcome_reasons"] == []
    assert "may be an option" in dispatcher.messages[0]["text"]
    t = tracker(
        **answers,
        **outcome,
        full_name="Sam",
        email="sam@example.com",
        phone="+13035550142",
        preferred_contact_time="mornings",
        contact_consent=True,
    )
    dispatcher = CollectingDispatcher()
    events = run_async_action(ActionStoreLead(), dispatcher, t)
    lead_id = events[0]["value"]
    lead = context.lead_store().get(lead_id)
    assert lead["outcome"] == "qualified" and lead["full_name"] == "Sam"
    assert lead["medications"][0]["outcome"] == "note"
    assert lead_id in dispatcher.messages[0]["text"]
    # The same turn run again (Rasa cancelled it after the write, the visitor resent): still one lead.
    again = run_async_action(ActionStoreLead(), CollectingDispatcher(), t)
    assert again[0]["value"] == lead_id
    assert len(context.lead_store().for_conversation("conv-1")) == 1


def _broken_store(monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(_lead):
        raise OperationalError("INSERT INTO leads", {"full_name": "Planted Name"}, Exception("database is locked"))

    monkeypatch.setattr(context.lead_store(), "save", broken)


def test_store_failure_fails_the_action_so_the_turn_is_not_saved(monkeypatch):
    from actions.actions import LeadWriteFailed

    _broken_store(monkeypatch)
    dispatcher = CollectingDispatcher()
    with pytest.raises(LeadWriteFailed) as failure:
        run_async_action(
            ActionStoreLead(), dispatcher, tracker(screening_outcome="qualified", full_name="Planted Name")
        )
    assert dispatcher.messages == []  # the relay asks the visitor to resend; nothing claims success
    assert "conv-1" in str(failure.value) and "Planted" not in str(failure.value)
    assert failure.value.__cause__ is None and failure.value.__suppress_context__


def test_crisis_answer_is_given_even_when_the_lead_write_fails(monkeypatch):
    _broken_store(monkeypatch)
    dispatcher = CollectingDispatcher()
    events = run_async_action(ActionCrisisResponse(), dispatcher, tracker("i want to die", intent="crisis"))
    assert "988" in dispatcher.messages[0]["text"]
    assert {"event": "slot", "timestamp": None, "name": "crisis_flag", "value": True} in events


def test_crisis_response_gives_988_and_911_and_flags_the_lead_urgent():
    dispatcher = CollectingDispatcher()
    events = run_async_action(ActionCrisisResponse(), dispatcher, tracker("i want to die", intent="crisis", age=30.0))
    text = dispatcher.messages[0]["text"]
    assert "988" in text and "911" in text and "988lifeline.org" in text
    lead_id = [e["value"] for e in events if e.get("name") == "lead_id"][0]
    assert context.lead_store().get(lead_id)["urgent"] is True


def test_human_handoff_records_what_is_known():
    dispatcher = CollectingDispatcher()
    events = run_async_action(
        ActionHumanHandoff(),
        dispatcher,
        tracker("talk to a person", intent="request_human", age=30.0, condition="migraine"),
    )
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


# --- never stuck: every question, driven through the form like Rasa's FormAction does --------------------
def play_form(form, slots: dict, say, max_turns: int = 60):
    """Run a form turn by turn as Rasa would: ask the next slot, read the visitor's message, apply the events.

    Returns the final slots and the list of questions asked, in order.
    """
    form_name = form.name().replace("validate_", "", 1)
    domain_order = DOMAIN["forms"][form_name]["required_slots"]
    slots = dict(slots)

    def next_slot():
        required = asyncio.run(form.required_slots(domain_order, CollectingDispatcher(), tracker(**slots), DOMAIN))
        return next((s for s in required if slots.get(s) is None), None)

    asked, requested = [], next_slot()
    for _ in range(max_turns):
        if requested is None:
            return slots, asked
        asked.append(requested)
        t = tracker(
            say(requested, asked.count(requested)),
            requested=requested,
            **{k: v for k, v in slots.items() if k != "requested_slot"},
        )
        t.active_loop = {"name": form_name}
        events, _ = run_form(form, t)
        slots.update(events)
        requested = events.get("requested_slot") if "requested_slot" in events else next_slot()
    raise AssertionError(f"form never finished; asked {asked}")


def longest_run(asked):
    best, run = 0, 0
    for i, slot in enumerate(asked):
        run = run + 1 if i and asked[i - 1] == slot else 1
        best = max(best, run)
    return best


@pytest.mark.parametrize("unreadable", ["...", "??", "- - -"])
def test_every_screening_question_moves_on_after_two_unreadable_answers(unreadable):
    slots, asked = play_form(ValidateScreeningForm(), {"health_data_consent": True}, lambda slot, n: unreadable)
    screening_slots = DOMAIN["forms"]["screening_form"]["required_slots"]
    assert asked == [s for s in screening_slots for _ in range(2)]  # each asked exactly twice, then skipped
    assert set(slots["unclear_answers"]) == set(screening_slots)
    assert all(slots.get(s) is None for s in screening_slots)
    dispatcher = CollectingDispatcher()
    events = ActionScreeningOutcome().run(dispatcher, tracker(**slots), DOMAIN)
    assert {e["name"]: e["value"] for e in events}["screening_outcome"] == "needs_review"


@pytest.mark.parametrize(
    "slot", ["pregnant", "psychosis_history", "ketamine_reaction", "heart_condition", "seizure_history"]
)
def test_unclear_safety_answer_goes_to_review_through_the_form(slot):
    answers = {
        "age": "45",
        "condition": "CRPS",
        "pain_duration_months": "3 years",
        "pain_severity": "7",
        "prior_treatments": "physical therapy",
        "medications": "none",
        "medications_confirmed": "yes",
    }

    def say(asked, n):
        return "..." if asked == slot else answers.get(asked, "no")

    slots, asked = play_form(ValidateScreeningForm(), {"health_data_consent": True}, say)
    assert asked.count(slot) == 2 and slots[slot] is None and slot in slots["unclear_answers"]
    events = ActionScreeningOutcome().run(CollectingDispatcher(), tracker(**slots), DOMAIN)
    outcome = {e["name"]: e["value"] for e in events}
    assert outcome["screening_outcome"] == "needs_review"  # never not_eligible, never qualified


def test_every_contact_question_moves_on_and_no_invalid_value_is_stored():
    screened = dict(
        age=50.0,
        condition="crps",
        pain_duration_months=24.0,
        pain_severity=8.0,
        prior_treatments="pt",
        medications=[],
        medications_confirmed=True,
        screening_outcome="qualified",
        **NO_ANSWERS,
    )
    bad = {
        "full_name": "...",
        "email": "jane at example",
        "phone": "555-01",
        "preferred_contact_time": "??",
        "contact_consent": "hmm",
    }
    slots, asked = play_form(ValidateContactForm(), screened, lambda slot, n: bad[slot])
    assert asked == [s for s in DOMAIN["forms"]["contact_form"]["required_slots"] for _ in range(2)]
    assert all(slots.get(s) is None for s in bad)
    lead_id = run_async_action(ActionStoreLead(), CollectingDispatcher(), tracker(**slots))[0]["value"]
    lead = context.lead_store().get(lead_id)
    assert lead["email"] is None and lead["phone"] is None and lead["full_name"] is None
    assert "jane at example" not in str(lead["answers"]) and "555-01" not in str(lead["answers"])


def test_contact_wanted_unclear_twice_stops_asking():
    slots, asked = play_form(ValidateContactForm(), {"screening_outcome": "not_eligible"}, lambda slot, n: "...")
    assert asked == ["contact_wanted", "contact_wanted"]


def test_a_good_answer_after_one_bad_one_is_taken_and_the_count_resets():
    script = {
        "full_name": ["Jane"],
        "email": ["jane at", "jane@example.com"],
        "phone": ["303 555 0142"],
        "preferred_contact_time": ["mornings"],
        "contact_consent": ["yes"],
    }
    slots, asked = play_form(
        ValidateContactForm(), {"screening_outcome": "qualified"}, lambda slot, n: script[slot][n - 1]
    )
    assert asked == ["full_name", "email", "email", "phone", "preferred_contact_time", "contact_consent"]
    assert slots["email"] == "jane@example.com" and slots["failed_slot"] is None


def test_an_interruption_counts_so_no_question_is_asked_a_third_time():
    # back in the form after a FAQ answer (latest action is not action_listen): the question was not answered
    t = tracker(
        "is it addictive?", intent="faq_addictive", requested="pregnant", failed_slot="pregnant", failed_attempts=1.0
    )
    t.events.append({"event": "action", "name": "action_answer_faq"})
    t.active_loop = {"name": "screening_form"}
    slots, _ = run_form(ValidateScreeningForm(), t)
    assert "pregnant" in slots["unclear_answers"] and slots["failed_slot"] is None


def test_age_correction_to_a_minor_while_the_condition_is_open():
    t = tracker("sorry, I typed that wrong, I'm actually 17", requested="condition", age=45.0, health_data_consent=True)
    slots, messages = run_form(ValidateScreeningForm(), t)
    assert slots["age"] == 17.0 and "condition" not in slots and slots["requested_slot"] is None
    assert "only treats adults" in messages[0]["text"]


def test_minor_correction_during_contact_questions_drops_every_contact_detail():
    answers = dict(
        age=45.0,
        condition="crps",
        pain_duration_months=24.0,
        pain_severity=8.0,
        prior_treatments="pt",
        medications=[],
        medications_confirmed=True,
        screening_outcome="qualified",
        **NO_ANSWERS,
    )
    t = tracker("wait, I'm actually 17", requested="phone", full_name="Sam Young", email="sam@example.com", **answers)
    slots, messages = run_form(ValidateContactForm(), t)
    assert slots["age"] == 17.0 and slots["screening_outcome"] == "not_eligible"
    assert slots["full_name"] is None and slots["email"] is None and slots["requested_slot"] is None
    assert "only treats adults" in messages[0]["text"]
    # and even if the slots still held them, the lead keeps none
    t = tracker(
        **dict(answers, age=17.0, screening_outcome="not_eligible"),
        full_name="Sam Young",
        email="sam@example.com",
        phone="+13035550142",
        contact_consent=True,
    )
    lead = context.lead_store().get(run_async_action(ActionStoreLead(), CollectingDispatcher(), t)[0]["value"])
    assert lead["full_name"] is None and lead["email"] is None and lead["phone"] is None


def test_medication_list_does_not_overwrite_the_pain_duration():
    t = tracker(
        "oxycodone 10mg twice a day, metformin, lisinopril",
        requested="medications",
        age=50.0,
        condition="crps",
        pain_duration_months=96.0,
        pain_severity=7.0,
        prior_treatments="pt",
    )
    slots, _ = run_form(ValidateScreeningForm(), t)
    assert "pain_duration_months" not in slots
    assert set(slots["medications"]) == {"oxycodone", "metformin", "lisinopril"}


def test_hedged_no_is_a_no_with_a_note_not_a_review():
    t = tracker("not that I know of", requested="liver_disease")
    slots, _ = run_form(ValidateScreeningForm(), t)
    assert slots["liver_disease"] is False and slots["answer_notes"] == {"liver_disease": "not that I know of"}
    answers = dict(
        age=50.0,
        condition="fibromyalgia",
        pain_duration_months=24.0,
        pain_severity=8.0,
        prior_treatments="pt",
        medications=[],
        medications_confirmed=True,
        **NO_ANSWERS,
    )
    answers["answer_notes"] = {"liver_disease": "not that I know of"}
    events = ActionScreeningOutcome().run(CollectingDispatcher(), tracker(**answers), DOMAIN)
    assert {e["name"]: e["value"] for e in events}["screening_outcome"] == "qualified"


def test_read_back_keeps_what_was_understood_in_context():
    """'fentanyl off the street' is read back as a counted substance, 'vitamin d' as a supplement."""
    dispatcher = CollectingDispatcher()
    slots = dict(medications=["street fentanyl", "cholecalciferol"], medications_typed=["fentanyl", "vitamin d"])
    ActionAskMedicationsConfirmed().run(dispatcher, tracker(**slots), DOMAIN)
    text = dispatcher.messages[0]["text"]
    assert "- fentanyl, a non-prescribed substance (counted as substance use)" in text
    assert "Vitamin d (cholecalciferol), a supplement" in text


def crisis_tracker(text: str, source: str, form=None, requested=None, **slots) -> Tracker:
    """A message the detector called crisis, by `source` ("patterns" or "classifier"), with `form` active."""
    t = tracker(text, intent="crisis", requested=requested, **slots)
    t.latest_message["crisis_detection"] = {"crisis": True, "source": source}
    t.active_loop = {"name": form}
    return t


def test_a_classifier_only_crisis_mid_form_shows_988_and_911_and_the_screening_goes_on():
    dispatcher = CollectingDispatcher()
    t = crisis_tracker(
        "hi im asking for myself about my back pain",
        "classifier",
        form="screening_form",
        requested="condition",
        age=40.0,
    )
    events = run_async_action(ActionCrisisResponse(), dispatcher, t)
    text = dispatcher.messages[0]["text"]
    assert "988" in text and "911" in text
    assert {"event": "followup", "timestamp": None, "name": "screening_form"} in events
    assert not [e for e in events if e.get("event") == "active_loop"]
    assert not [e for e in events if e.get("name") == "crisis_flag"]
    lead = context.lead_store().get([e["value"] for e in events if e.get("name") == "lead_id"][0])
    assert lead["urgent"] is False
    assert messages.CRISIS_CHECK_NOTE in lead["answers"]["clinician_notes"]


def test_a_pattern_crisis_mid_form_ends_the_screening_and_flags_the_lead_urgent():
    dispatcher = CollectingDispatcher()
    t = crisis_tracker("i want to kill myself", "patterns", form="screening_form", requested="condition", age=40.0)
    events = run_async_action(ActionCrisisResponse(), dispatcher, t)
    assert dispatcher.messages[0]["text"] == messages.CRISIS_TEXT
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert {"event": "slot", "timestamp": None, "name": "crisis_flag", "value": True} in events


def test_a_classifier_only_crisis_can_still_be_the_answer_to_the_open_question():
    t = crisis_tracker(
        "CRPS in my left foot and nothing is helping",
        "classifier",
        form="screening_form",
        requested="condition",
        age=40.0,
        health_data_consent=True,
    )
    t.events.append({"event": "action", "name": "action_crisis_response"})
    slots, _ = run_form(ValidateScreeningForm(), t)
    assert slots["condition"] == "crps"


def test_a_lead_is_stored_qualified_only_when_its_answers_say_so():
    """The stored outcome is assessed again from the answers: a tracker that claims `qualified` with a safety
    answer missing is stored as clinician review."""
    answers = dict(
        age=50.0,
        condition="fibromyalgia",
        pain_duration_months=24.0,
        pain_severity=8.0,
        prior_treatments="pt",
        medications=[],
        medications_confirmed=True,
        **NO_ANSWERS,
    )
    answers["heart_condition"] = None
    t = tracker(**answers, screening_outcome="qualified", outcome_reasons=[])
    events = run_async_action(ActionStoreLead(), CollectingDispatcher(), t)
    lead = context.lead_store().get(events[0]["value"])
    assert lead["outcome"] == "needs_review" and lead["reasons"]
