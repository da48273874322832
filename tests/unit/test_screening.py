"""The screening conversation's rules without Rasa: every extract_* function, corrections, interruptions."""

from __future__ import annotations

import pytest
import yaml

from bot.screening import catalogue
from bot.screening.flow import (
    HARD_INTERRUPTIONS,
    SOFT_INTERRUPTIONS,
    Turn,
    contact_required_slots,
    correction_events,
    extract_age,
    extract_condition,
    extract_contact_consent,
    extract_contact_wanted,
    extract_email,
    extract_full_name,
    extract_medications,
    extract_medications_confirmed,
    extract_pain_duration,
    extract_pain_severity,
    extract_phone,
    extract_preferred_contact_time,
    extract_prior_treatments,
    extract_yes_no,
    interrupted_form,
    screening_required_slots,
    unanswered,
)
from bot.screening.lead_record import answers_from_slots
from bot.screening.lexicon import load_lexicon
from bot.screening.policy import DEFAULT_PATH, load_policy, parse_policy

SCREENING_SLOTS = catalogue.screening_slots()
YES_NO_SLOTS = catalogue.yes_no_slots()
CONTACT_SLOTS = catalogue.contact_slots()


@pytest.fixture(scope="module")
def lex():
    return load_lexicon()


@pytest.fixture(scope="module")
def policy(lex):
    return load_policy(known_classes=list(lex.classes))


MULTI = "I'm 45, I have CRPS and I take Xanax"


# --- Turn ----------------------------------------------------------------------------------------------
def test_turn_basics():
    turn = Turn(
        "  I'm   45  ",
        intent="inform",
        entities=[{"entity": "condition", "value": "CRPS"}, {"entity": "medication"}],
        requested="age",
    )
    assert turn.text == "I'm 45"
    assert turn.asked("age") is True and turn.asked("condition") is False
    assert turn.entity_values("condition") == ["crps"]
    assert turn.entity_values("medication") == []
    assert turn.free_text_allowed is True and turn.hard_interruption is False


@pytest.mark.parametrize("intent", sorted(HARD_INTERRUPTIONS))
def test_hard_interruptions(intent):
    turn = Turn("anything", intent=intent)
    assert turn.hard_interruption is True
    assert turn.free_text_allowed is False


@pytest.mark.parametrize("intent", sorted(SOFT_INTERRUPTIONS))
def test_soft_interruptions_block_free_text(intent):
    turn = Turn("anything", intent=intent)
    assert turn.hard_interruption is False
    assert turn.free_text_allowed is False


def test_button_payload_is_not_free_text():
    assert Turn("/affirm", intent="affirm").free_text_allowed is False


# --- age ------------------------------------------------------------------------------------------------
def test_age_when_asked():
    assert extract_age(Turn("45", intent="inform", requested="age"), None) == 45.0
    assert extract_age(Turn("thirty five", intent="inform", requested="age"), None) == 35.0


def test_bare_number_is_not_an_age_when_another_question_is_open():
    assert extract_age(Turn("7", intent="inform", requested="pain_severity"), None) is None


def test_age_volunteered():
    assert extract_age(Turn("I'm 52 years old", intent="inform", requested="condition"), None) == 52.0


def test_age_correction():
    assert extract_age(Turn("actually I'm 46", intent="inform", requested="condition"), 45.0) == 46.0


def test_age_not_taken_from_a_hard_interruption():
    assert extract_age(Turn("I'm 45, let me talk to a person", intent="request_human", requested="age"), None) is None


def test_age_from_a_soft_interruption_with_structure():
    # "why do you ask? I'm 45" still answers the question
    assert extract_age(Turn("why do you ask? I'm 45", intent="why_ask", requested="age"), None) == 45.0


# --- condition ------------------------------------------------------------------------------------------
def test_condition_when_asked(lex):
    result = extract_condition(
        Turn("complex regional pain syndrome", intent="inform", requested="condition"), None, lex
    )
    assert result == {"condition": "crps", "condition_detail": "complex regional pain syndrome"}


def test_condition_from_entity(lex):
    turn = Turn(
        "the thing in my face",
        intent="inform",
        requested="condition",
        entities=[{"entity": "condition", "value": "trigeminal_neuralgia"}],
    )
    assert extract_condition(turn, None, lex)["condition"] == "trigeminal_neuralgia"


def test_condition_misspelled_when_asked(lex):
    assert (
        extract_condition(Turn("fibromyalgya", intent="inform", requested="condition"), None, lex)["condition"]
        == "fibromyalgia"
    )


def test_condition_unrecognised_when_asked_is_other_with_detail(lex):
    result = extract_condition(Turn("my knee hurts all the time", intent="inform", requested="condition"), None, lex)
    assert result == {"condition": "other", "condition_detail": "my knee hurts all the time"}


def test_condition_unrecognised_when_not_asked_is_nothing(lex):
    assert extract_condition(Turn("my knee hurts", intent="inform", requested="age"), None, lex) == {}


def test_condition_volunteered(lex):
    result = extract_condition(Turn("I have migraines", intent="inform", requested="age"), None, lex)
    assert result["condition"] == "migraine"


def test_condition_not_overwritten_in_passing(lex):
    assert (
        extract_condition(Turn("my migraines are worse", intent="inform", requested="pain_severity"), "crps", lex) == {}
    )


def test_condition_correction(lex):
    result = extract_condition(
        Turn("sorry, I meant fibromyalgia", intent="inform", requested="pain_severity"), "crps", lex
    )
    assert result["condition"] == "fibromyalgia"


def test_condition_not_read_from_prior_treatments_answer(lex):
    turn = Turn("nerve blocks for my back pain", intent="inform", requested="prior_treatments")
    assert extract_condition(turn, "crps", lex) == {}


@pytest.mark.parametrize("intent", ["faq_cost", "why_ask", "out_of_scope"])
def test_faq_question_is_not_a_condition(lex, intent):
    assert extract_condition(Turn("how much does it cost?", intent=intent, requested="condition"), None, lex) == {}


def test_crisis_is_not_a_condition(lex):
    assert extract_condition(Turn("I want to kill myself", intent="crisis", requested="condition"), None, lex) == {}


# --- duration and severity ----------------------------------------------------------------------------
def test_pain_duration():
    assert extract_pain_duration(Turn("3 years", intent="inform", requested="pain_duration_months")) == 36.0
    assert extract_pain_duration(
        Turn("about 6 weeks", intent="inform", requested="pain_duration_months")
    ) == pytest.approx(1.38, abs=0.01)
    # another question open: only a clear statement of how long the pain has lasted
    assert extract_pain_duration(Turn("about 6 weeks", intent="inform", requested="age")) is None
    assert extract_pain_duration(
        Turn("I've had the pain for 6 weeks", intent="inform", requested="age")
    ) == pytest.approx(1.38, abs=0.01)
    assert extract_pain_duration(Turn("forever", intent="inform", requested="pain_duration_months")) == 120.0
    assert extract_pain_duration(Turn("forever", intent="inform", requested="condition")) is None
    assert extract_pain_duration(Turn("3 years", intent="stop", requested="pain_duration_months")) is None


def test_pain_severity():
    assert extract_pain_severity(Turn("7/10", intent="inform", requested="age")) == 7.0
    assert extract_pain_severity(Turn("7-8", intent="inform", requested="pain_severity")) == 7.5
    assert extract_pain_severity(Turn("7", intent="inform", requested="age")) is None
    assert extract_pain_severity(Turn("11", intent="inform", requested="pain_severity")) is None
    assert extract_pain_severity(Turn("8/10", intent="restart", requested="pain_severity")) is None


# --- prior treatments -----------------------------------------------------------------------------------
def test_prior_treatments_when_asked():
    turn = Turn("physical therapy and nerve blocks", intent="inform", requested="prior_treatments")
    assert extract_prior_treatments(turn) == "physical therapy and nerve blocks"


def test_prior_treatments_not_when_another_question_is_open():
    assert extract_prior_treatments(Turn("physical therapy", intent="inform", requested="condition")) is None


@pytest.mark.parametrize("intent", ["faq_cost", "request_human", "why_ask"])
def test_prior_treatments_never_from_an_interruption(intent):
    assert extract_prior_treatments(Turn("how much does it cost?", intent=intent, requested="prior_treatments")) is None


def test_prior_treatments_capped():
    assert len(extract_prior_treatments(Turn("x" * 900, intent="inform", requested="prior_treatments"))) == 500


# --- medications --------------------------------------------------------------------------------------------
def test_medications_when_asked(lex):
    result = extract_medications(
        Turn("Xanax, lamictle and percs", intent="inform", requested="medications"), None, None, lex
    )
    assert result == {
        "medications": ["alprazolam", "lamotrigine", "oxycodone"],
        "medications_typed": ["Xanax", "lamictle", "percs"],
    }


@pytest.mark.parametrize("text, intent", [("none", "deny"), ("nothing", "inform"), ("I don't take anything", "deny")])
def test_no_medications(lex, text, intent):
    assert extract_medications(Turn(text, intent=intent, requested="medications"), None, None, lex) == {
        "medications": [],
        "medications_typed": [],
    }


def test_unknown_medication_kept(lex):
    result = extract_medications(Turn("zorblex", intent="inform", requested="medications"), None, None, lex)
    assert result == {"medications": ["zorblex"], "medications_typed": ["zorblex"]}


def test_class_word_alone(lex):
    result = extract_medications(Turn("benzos", intent="inform", requested="medications"), None, None, lex)
    assert result["medications"] == ["benzodiazepine"]


def test_medications_answer_with_a_supplement_and_a_street_drug(lex):
    """'vitamin d' is a supplement, not 'none'; street fentanyl is kept in a form that reads back as illicit."""
    turn = Turn("vitamin d, and fentanyl off the street sometimes", intent="inform", requested="medications")
    result = extract_medications(turn, None, None, lex)
    assert result["medications"] == ["cholecalciferol", "street fentanyl"]
    assert [lex.resolve(v).drug_class for v in result["medications"]] == ["supplement", "illicit"]


def test_medications_answer_drops_purpose_words(lex):
    turn = Turn("tizanidine for my neck spasms at night", intent="inform", requested="medications")
    assert extract_medications(turn, None, None, lex)["medications"] == ["tizanidine"]


def test_medication_entities_when_text_gives_nothing(lex):
    turn = Turn(
        "what I said before",
        intent="faq_what_is",
        requested="medications",
        entities=[{"entity": "medication", "value": "Clonazepam"}],
    )
    assert extract_medications(turn, None, None, lex)["medications"] == ["clonazepam"]


def test_answer_replaces_the_list_when_asked_again(lex):
    result = extract_medications(
        Turn("just Zoloft", intent="inform", requested="medications"), ["alprazolam"], ["Xanax"], lex
    )
    assert result["medications"] == ["sertraline"]


def test_medications_volunteered_fill_an_empty_list(lex):
    result = extract_medications(Turn("I take Lamictal", intent="inform", requested="pregnant"), None, None, lex)
    assert result == {"medications": ["lamotrigine"], "medications_typed": ["Lamictal"], "medications_confirmed": None}


def test_also_take_adds_and_reopens_the_read_back(lex):
    result = extract_medications(
        Turn("I also take Lamictal", intent="inform", requested="pregnant"), ["alprazolam"], ["Xanax"], lex
    )
    assert result == {
        "medications": ["alprazolam", "lamotrigine"],
        "medications_typed": ["Xanax", "Lamictal"],
        "medications_confirmed": None,
    }


def test_mention_without_add_cue_does_not_change_a_list(lex):
    assert (
        extract_medications(
            Turn("I take Lamictal", intent="inform", requested="pregnant"), ["alprazolam"], ["Xanax"], lex
        )
        == {}
    )


def test_drug_named_without_a_medication_cue_is_ignored_in_passing(lex):
    assert extract_medications(Turn("Xanax", intent="inform", requested="pregnant"), None, None, lex) == {}


def test_already_listed_is_no_change(lex):
    assert (
        extract_medications(
            Turn("I also take Xanax", intent="inform", requested="pregnant"), ["alprazolam"], ["Xanax"], lex
        )
        == {}
    )


def test_medications_never_from_prior_treatments_answer(lex):
    turn = Turn("I tried gabapentin and nerve blocks", intent="inform", requested="prior_treatments")
    assert extract_medications(turn, None, None, lex) == {}


def test_medications_never_from_hard_interruption(lex):
    turn = Turn("I take Xanax, get me a person", intent="request_human", requested="medications")
    assert extract_medications(turn, None, None, lex) == {}


def test_faq_question_while_medications_open_is_not_a_medication(lex):
    turn = Turn("is ketamine addictive?", intent="faq_addictive", requested="medications")
    assert extract_medications(turn, None, None, lex) == {}


# --- read-back -------------------------------------------------------------------------------------------------
def test_read_back_confirmed():
    assert extract_medications_confirmed(Turn("yes", intent="affirm", requested="medications_confirmed")) == {
        "medications_confirmed": True
    }


@pytest.mark.parametrize("text, intent", [("no", "deny"), ("that's wrong", "inform"), ("/deny", "deny")])
def test_read_back_fix_clears_medications(text, intent):
    assert extract_medications_confirmed(Turn(text, intent=intent, requested="medications_confirmed")) == {
        "medications_confirmed": None,
        "medications": None,
        "medications_typed": None,
    }


def test_read_back_only_when_asked():
    assert extract_medications_confirmed(Turn("yes", intent="affirm", requested="pregnant")) == {}


def test_read_back_not_from_interruption():
    assert extract_medications_confirmed(Turn("no", intent="stop", requested="medications_confirmed")) == {}


def test_read_back_fix_with_an_added_name(lex):
    turn = Turn("no, I also take Lamictal", intent="deny", requested="medications_confirmed")
    assert extract_medications_confirmed(turn)["medications"] is None
    result = extract_medications(turn, ["alprazolam"], ["Xanax"], lex)
    assert result["medications"] == ["alprazolam", "lamotrigine"]
    assert result["medications_confirmed"] is None


# --- yes / no contraindications --------------------------------------------------------------------------------
@pytest.mark.parametrize("slot", YES_NO_SLOTS)
def test_yes_no_when_asked(slot):
    assert extract_yes_no(Turn("yes", intent="affirm", requested=slot), slot, None) == {
        slot: True,
        "unsure_answers": [],
    }
    assert extract_yes_no(Turn("no, never", intent="deny", requested=slot), slot, None) == {
        slot: False,
        "unsure_answers": [],
    }


def test_unsure_recorded():
    result = extract_yes_no(Turn("not sure", requested="seizure_history"), "seizure_history", ["liver_disease"])
    assert result == {"seizure_history": False, "unsure_answers": ["liver_disease", "seizure_history"]}


def test_sure_answer_clears_unsure():
    result = extract_yes_no(
        Turn("yes", intent="affirm", requested="seizure_history"), "seizure_history", ["seizure_history"]
    )
    assert result == {"seizure_history": True, "unsure_answers": []}


def test_statement_answers_the_open_question():
    result = extract_yes_no(
        Turn("I had a heart attack in 2019", intent="inform", requested="heart_condition"), "heart_condition", None
    )
    assert result == {"heart_condition": True, "unsure_answers": []}


def test_yes_no_volunteered_elsewhere():
    turn = Turn("I have glaucoma", intent="inform", requested="age")
    assert extract_yes_no(turn, "pressure_condition", None) == {"pressure_condition": True}
    assert extract_yes_no(turn, "seizure_history", None) == {}


def test_yes_no_volunteered_negation():
    assert extract_yes_no(
        Turn("no seizures though", intent="inform", requested="condition"), "seizure_history", None
    ) == {"seizure_history": False}


def test_plain_yes_for_one_question_does_not_answer_another():
    assert extract_yes_no(Turn("yes", intent="affirm", requested="seizure_history"), "pregnant", None) == {}


def test_yes_no_unclear_answer_is_nothing():
    assert extract_yes_no(Turn("hmm", intent="inform", requested="liver_disease"), "liver_disease", None) == {}


def test_yes_no_never_from_hard_interruption():
    assert (
        extract_yes_no(
            Turn("I'm pregnant, get me a human", intent="request_human", requested="pregnant"), "pregnant", None
        )
        == {}
    )


# --- the several-facts first message -------------------------------------------------------------------------
@pytest.mark.parametrize("requested", [None, "age", "condition"])
def test_several_facts_in_one_message(lex, requested):
    turn = Turn(MULTI, intent="inform", requested=requested)
    assert extract_age(turn, None) == 45.0
    assert extract_condition(turn, None, lex)["condition"] == "crps"
    meds = extract_medications(turn, None, None, lex)
    assert meds["medications"] == ["alprazolam"]
    assert meds["medications_typed"] == ["Xanax"]
    assert extract_pain_duration(turn) is None
    assert extract_pain_severity(turn) is None
    assert extract_prior_treatments(turn) is None
    assert all(extract_yes_no(turn, slot, None) == {} for slot in YES_NO_SLOTS)


def test_several_facts_with_contraindication(lex):
    turn = Turn("I'm 38 with fibro for 5 years, pain 8/10, and I have epilepsy", intent="inform", requested="age")
    assert extract_age(turn, None) == 38.0
    assert extract_condition(turn, None, lex)["condition"] == "fibromyalgia"
    assert extract_pain_duration(turn) == 60.0
    assert extract_pain_severity(turn) == 8.0
    assert extract_yes_no(turn, "seizure_history", None) == {"seizure_history": True}


# --- contact details ------------------------------------------------------------------------------------------
def test_contact_wanted():
    assert extract_contact_wanted(Turn("yes please", intent="affirm", requested="contact_wanted")) is True
    assert extract_contact_wanted(Turn("no thanks", intent="deny", requested="contact_wanted")) is False
    assert extract_contact_wanted(Turn("yes", intent="affirm", requested="email")) is None
    assert extract_contact_wanted(Turn("yes", intent="stop", requested="contact_wanted")) is None


def test_full_name():
    assert extract_full_name(Turn("I'm Jane Doe", intent="inform", requested="full_name")) == "Jane Doe"
    assert extract_full_name(Turn("Jane Doe", intent="inform", requested="email")) is None
    assert extract_full_name(Turn("/affirm", intent="affirm", requested="full_name")) is None
    assert extract_full_name(Turn("what does it cost", intent="faq_cost", requested="full_name")) is None


def test_full_name_markup_kept_as_text():
    assert (
        extract_full_name(Turn("<script>alert(1)</script>", intent="inform", requested="full_name"))
        == "<script>alert(1)</script>"
    )


def test_email():
    assert extract_email(Turn("Jane@Example.com", intent="inform", requested="email")) == {"email": "jane@example.com"}
    assert extract_email(Turn("jane@example.com", intent="inform", requested="full_name")) == {
        "email": "jane@example.com"
    }
    assert extract_email(Turn("jane at example", intent="inform", requested="email")) == {
        "email": None,
        "_invalid": "email",
    }
    assert extract_email(Turn("Jane Doe", intent="inform", requested="full_name")) == {}
    assert extract_email(Turn("jane@example.com", intent="request_human", requested="email")) == {}


def test_phone():
    assert extract_phone(Turn("(303) 555-0142", intent="inform", requested="phone")) == {"phone": "+13035550142"}
    assert extract_phone(Turn("123", intent="inform", requested="phone")) == {"phone": None, "_invalid": "phone"}
    assert extract_phone(Turn("555-0142", intent="inform", requested="phone")) == {"phone": None, "_invalid": "phone"}
    assert extract_phone(Turn("why do you need it?", intent="why_ask", requested="phone")) == {}
    # volunteered while another question is open
    assert extract_phone(Turn("Jane, 303-555-0142", intent="inform", requested="full_name")) == {
        "phone": "+13035550142"
    }
    # an email answer is not read as a phone number
    assert extract_phone(Turn("jane2125551234@example.com", intent="inform", requested="email")) == {}
    assert extract_phone(Turn("303-555-0142", intent="crisis", requested="phone")) == {}


def test_preferred_contact_time():
    assert (
        extract_preferred_contact_time(Turn("weekday mornings", intent="inform", requested="preferred_contact_time"))
        == "weekday mornings"
    )
    assert extract_preferred_contact_time(Turn("mornings", intent="inform", requested="phone")) is None
    assert extract_preferred_contact_time(Turn("?", intent="inform", requested="preferred_contact_time")) is None


def test_contact_consent():
    assert extract_contact_consent(Turn("yes", intent="affirm", requested="contact_consent")) is True
    assert extract_contact_consent(Turn("no", intent="deny", requested="contact_consent")) is False
    assert extract_contact_consent(Turn("yes", intent="affirm", requested="phone")) is None
    assert extract_contact_consent(Turn("yes", intent="restart", requested="contact_consent")) is None


# --- interruption intents never fill slots ------------------------------------------------------------------------
@pytest.mark.parametrize("intent", sorted(HARD_INTERRUPTIONS))
@pytest.mark.parametrize("requested", SCREENING_SLOTS + CONTACT_SLOTS + ["contact_wanted"])
def test_hard_interruptions_never_fill_slots(lex, intent, requested):
    turn = Turn(
        "yes, I'm 45 with CRPS, I take Xanax, 7/10 for 3 years, jane@example.com 303-555-0142, I have glaucoma",
        intent=intent,
        requested=requested,
    )
    assert extract_age(turn, None) is None
    assert extract_condition(turn, None, lex) == {}
    assert extract_pain_duration(turn) is None
    assert extract_pain_severity(turn) is None
    assert extract_prior_treatments(turn) is None
    assert extract_medications(turn, None, None, lex) == {}
    assert extract_medications_confirmed(turn) == {}
    assert all(extract_yes_no(turn, slot, None) == {} for slot in YES_NO_SLOTS)
    assert extract_contact_wanted(turn) is None
    assert extract_full_name(turn) is None
    assert extract_email(turn) == {}
    assert extract_phone(turn) == {}
    assert extract_preferred_contact_time(turn) is None
    assert extract_contact_consent(turn) is None


@pytest.mark.parametrize("intent", sorted(SOFT_INTERRUPTIONS))
@pytest.mark.parametrize(
    "requested",
    ["condition", "prior_treatments", "medications", "full_name", "preferred_contact_time", "email", "phone"],
)
def test_soft_interruptions_never_fill_free_text_slots(lex, intent, requested):
    turn = Turn("how does it work and what does it cost", intent=intent, requested=requested)
    assert extract_condition(turn, None, lex) == {}
    assert extract_prior_treatments(turn) is None
    assert extract_medications(turn, None, None, lex) == {}
    assert extract_full_name(turn) is None
    assert extract_preferred_contact_time(turn) is None
    assert extract_email(turn) == {}
    assert extract_phone(turn) == {}


# --- which questions -----------------------------------------------------------------------------------------------
def test_screening_required_slots(policy):
    assert screening_required_slots({}, policy) == SCREENING_SLOTS
    assert screening_required_slots({"age": 45}, policy) == SCREENING_SLOTS
    assert screening_required_slots({"age": 18}, policy) == SCREENING_SLOTS
    assert screening_required_slots({"age": 17}, policy) == ["age"]


def test_screening_continues_for_minors_when_the_clinic_only_reviews_them(policy):
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))  # a fresh copy of the default policy file
    data["criteria"]["under_minimum_age"] = "review"
    assert screening_required_slots({"age": 17}, parse_policy(data)) == SCREENING_SLOTS


@pytest.mark.parametrize("outcome", ["qualified", "needs_review", "not_eligible"])
def test_contact_never_asked_of_a_minor(policy, outcome):
    assert contact_required_slots({"age": 16, "screening_outcome": outcome}, policy) == []
    assert contact_required_slots({"age": 17, "human_requested": True}, policy) == []


def test_contact_offered_not_pressed_when_not_eligible(policy):
    slots = {"age": 45, "screening_outcome": "not_eligible"}
    assert contact_required_slots(slots, policy) == ["contact_wanted"]
    assert contact_required_slots({**slots, "contact_wanted": False}, policy) == ["contact_wanted"]
    assert contact_required_slots({**slots, "contact_wanted": True}, policy) == ["contact_wanted"] + CONTACT_SLOTS


@pytest.mark.parametrize("outcome", ["qualified", "needs_review"])
def test_contact_asked_when_qualified_or_review(policy, outcome):
    assert contact_required_slots({"age": 45, "screening_outcome": outcome}, policy) == CONTACT_SLOTS


def test_contact_asked_when_a_person_is_requested(policy):
    assert contact_required_slots({"human_requested": True}, policy) == CONTACT_SLOTS
    assert (
        contact_required_slots({"age": 45, "screening_outcome": "not_eligible", "human_requested": True}, policy)
        == CONTACT_SLOTS
    )


def test_contact_slots_are_the_contract():
    assert CONTACT_SLOTS == ["full_name", "email", "phone", "preferred_contact_time", "contact_consent"]


def test_answers_from_slots_keeps_health_answers_only():
    slots = {
        "age": 45.0,
        "condition": "crps",
        "condition_detail": "CRPS in my foot",
        "medications": [],
        "pregnant": False,
        "unsure_answers": ["liver_disease"],
        "health_data_consent": True,
        "full_name": "Jane",
        "email": "j@example.com",
        "phone": "+13035550142",
        "pain_severity": None,
        "screening_outcome": "qualified",
    }
    assert answers_from_slots(slots) == {
        "age": 45.0,
        "condition": "crps",
        "condition_detail": "CRPS in my foot",
        "medications": [],
        "pregnant": False,
        "unsure_answers": ["liver_disease"],
        "health_data_consent": True,
    }


@pytest.mark.parametrize(
    "text, intent, confidence, accepted",
    [
        ("Jordan Rivers", "faq_side_effects", 0.87, True),  # a name the classifier mistook for a FAQ
        ("Robin Example", "nlu_fallback", 0.6, True),
        ("what are the side effects?", "faq_side_effects", 0.99, False),
        ("tell me about side effects", "faq_side_effects", 1.0, False),
        ("how much does it cost", "faq_cost", 0.7, False),
        ("i want to talk to a person", "request_human", 0.99, False),
    ],
)
def test_a_name_is_read_unless_the_message_is_a_question_or_a_sure_interruption(text, intent, confidence, accepted):
    turn = Turn(text, intent=intent, requested="full_name", confidence=confidence)
    assert (extract_full_name(turn) == text) is accepted


# --- answers as people give them, and answers that stay right -------------------------------------------
@pytest.mark.parametrize(
    "slot, text, value, note",
    [
        ("heart_condition", "my blood pressure is high and not really controlled", True, False),
        ("heart_condition", "well controlled with one pill", False, True),
        ("pregnant", "no, I had a hysterectomy", False, False),
        ("pregnant", "I'm a guy", False, False),
        ("pressure_condition", "no glaucoma, but my eye pressure is high and she's watching it", True, True),
        ("substance_use", "clean from heroin for 2 years", True, False),
        ("liver_disease", "I don't think so", False, True),
        ("seizure_history", "not that I know of", False, True),
    ],
)
def test_descriptive_and_hedged_yes_no(slot, text, value, note):
    result = extract_yes_no(Turn(text, intent="inform", requested=slot), slot, None)
    assert result[slot] is value and result["unsure_answers"] == []
    assert (result.get("answer_notes") or {}).get(slot) == (text if note else None)


def test_a_hedge_is_not_unsure_but_not_sure_is():
    assert extract_yes_no(Turn("not sure", requested="liver_disease"), "liver_disease", None)["unsure_answers"] == [
        "liver_disease"
    ]
    assert "answer_notes" not in extract_yes_no(Turn("not sure", requested="liver_disease"), "liver_disease", None)


def test_volunteered_statement_does_not_overwrite_an_earlier_answer_without_a_cue():
    assert (
        extract_yes_no(Turn("I have high blood pressure", requested="seizure_history"), "heart_condition", None, False)
        == {}
    )
    assert extract_yes_no(
        Turn("actually I do have high blood pressure", requested="seizure_history"), "heart_condition", None, False
    ) == {"heart_condition": True}


def test_duration_never_from_a_medication_answer():
    turn = Turn("oxycodone 10mg twice a day, metformin, lisinopril", intent="inform", requested="medications")
    assert extract_pain_duration(turn, None) is None
    assert extract_pain_duration(Turn("twice a day", requested="pain_duration_months")) is None


def test_duration_from_a_life_stage_uses_the_age():
    assert extract_pain_duration(Turn("since high school", requested="pain_duration_months"), None, 40.0) == 264.0
    assert extract_pain_duration(Turn("since high school", requested="pain_duration_months"), None, None) is None


def test_duration_changes_only_with_a_correction():
    assert extract_pain_duration(Turn("I've had pain for 2 years", requested="pain_severity"), 96.0) is None
    assert extract_pain_duration(Turn("sorry, I meant I've had it for 2 years", requested="age"), 96.0) == 24.0


def test_a_correction_is_not_a_condition(lex):
    turn = Turn("sorry i typed my age wrong, im actually 17", intent="inform", requested="condition")
    assert extract_condition(turn, None, lex) == {}
    assert extract_age(turn, 45.0) == 17.0


def test_unanswered_rephrases_once_then_keeps_the_words():
    first = unanswered("age", "old enough", {})
    assert first == {"age": None, "failed_slot": "age", "failed_attempts": 1.0}
    second = unanswered("age", "does it matter", first)
    assert second["unclear_answers"] == {"age": "does it matter"} and second["failed_slot"] is None
    # a different question starts its own count
    assert unanswered("condition", "...", first)["failed_slot"] == "condition"


def test_contact_details_given_up_on_keep_no_words():
    first = unanswered("email", "jane at", {})
    assert unanswered("email", "jane at gmail", first)["unclear_answers"] == {"email": None}


def test_given_up_questions_are_not_asked_again(policy):
    assert "age" not in screening_required_slots({"unclear_answers": {"age": "x"}}, policy)
    assert contact_required_slots({"unclear_answers": {"email": None}, "screening_outcome": "qualified"}, policy) == [
        "full_name",
        "phone",
        "preferred_contact_time",
        "contact_consent",
    ]
    assert (
        contact_required_slots(
            {"unclear_answers": {"contact_wanted": "hmm"}, "screening_outcome": "not_eligible"}, policy
        )
        == []
    )


def test_correction_during_contact_questions_reassesses(lex, policy):
    slots = dict(
        age=45.0,
        condition="crps",
        pain_duration_months=24.0,
        pain_severity=8.0,
        prior_treatments="pt",
        medications=[],
        medications_confirmed=True,
        screening_outcome="qualified",
        full_name="Sam",
        email="s@example.com",
        **dict.fromkeys(YES_NO_SLOTS, False),
    )
    changes = correction_events(Turn("actually I'm 17", requested="phone"), slots, policy, lex)
    assert changes["age"] == 17.0 and changes["screening_outcome"] == "not_eligible"
    assert changes["full_name"] is None and changes["email"] is None
    changes = correction_events(Turn("sorry, I forgot: I do have epilepsy", requested="phone"), slots, policy, lex)
    assert changes["seizure_history"] is True and changes["screening_outcome"] == "needs_review"
    assert correction_events(Turn("Sam Jones", requested="full_name"), slots, policy, lex) == {}


def test_a_correction_that_names_the_old_age_or_unit_while_another_question_is_open():
    assert extract_age(Turn("oops I meant 45 not 54", intent="inform", requested="condition"), 54) == 45.0
    assert extract_age(Turn("oops I meant 45 not 54", intent="inform", requested="condition"), 60) is None
    assert (
        extract_pain_duration(
            Turn("wait sorry i meant 2 YEARS not months", intent="inform", requested="pain_severity"), 2
        )
        == 24.0
    )


def test_a_name_is_a_name_whatever_the_classifier_makes_of_it():
    assert (
        extract_full_name(Turn("Ada Zorvathaha", intent="out_of_scope", requested="full_name", confidence=1.0))
        == "Ada Zorvathaha"
    )
    assert (
        extract_full_name(Turn("how much does it cost?", intent="faq_cost", requested="full_name", confidence=1.0))
        is None
    )
    assert extract_full_name(Turn("Ada Zorvathaha", intent="stop", requested="full_name")) is None


def test_a_pregnancy_reported_later_changes_the_earlier_no():
    text = "wait actually scratch my pregnancy answer, i took a test this morning and it was positive"
    assert extract_yes_no(Turn(text, intent="inform", requested="liver_disease"), "pregnant", [], False) == {
        "pregnant": True
    }
    assert (
        extract_yes_no(
            Turn("my covid test was positive last month", intent="inform", requested="liver_disease"),
            "pregnant",
            [],
            False,
        )
        == {}
    )


@pytest.mark.parametrize(
    "loops,expected",
    [
        (["consent_form", None, "screening_form", None], "screening_form"),  # set aside mid-screening
        (["consent_form", None, "screening_form", None, "contact_form", None], "contact_form"),
        (["consent_form", None, "screening_form", None, None], None),  # finished, then asked: no form to go back to
        ([None], None),
        ([], None),
        (["screening_form"], None),  # still running: nothing was set aside
    ],
)
def test_the_form_to_go_back_to_after_a_kept_delete_request(loops, expected):
    events = [{"event": "user", "text": "hi"}] + [{"event": "active_loop", "name": name} for name in loops]
    assert interrupted_form(events) == expected
