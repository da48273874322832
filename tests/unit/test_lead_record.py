"""The lead record as a pure function: what a conversation leaves for the clinic, and whose contact details stay."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.screening.eligibility import assess
from bot.screening.lead_record import CONTACT_DETAILS, keeps_contact, lead_record
from bot.screening.lexicon import load_lexicon
from bot.screening.messages import CRISIS_CHECK_NOTE
from bot.screening.policy import load_policy

ANSWERS = {
    "age": 45.0,
    "condition": "crps",
    "condition_detail": "my right foot",
    "pain_duration_months": 24.0,
    "pain_severity": 7.0,
    "prior_treatments": "physical therapy",
    "medications": [],
    "medications_confirmed": True,
    "pregnant": False,
    "psychosis_history": False,
    "heart_condition": False,
    "liver_disease": False,
    "substance_use": False,
    "ketamine_reaction": False,
    "pressure_condition": False,
    "seizure_history": False,
    "health_data_consent": True,
}
CONTACT = {
    "full_name": "Sam Rivers",
    "email": "sam@example.com",
    "phone": "+13035550142",
    "preferred_contact_time": "mornings",
}
WHEN = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def policy():
    return load_policy()


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def record(policy, lexicon, **slots):
    slots = {**ANSWERS, **CONTACT, "screening_outcome": "qualified", **slots}
    return lead_record(
        slots, assess(slots, policy, lexicon), policy, "conv-1", contact_consent_at=WHEN, health_consent_at=WHEN
    )


def test_contact_kept_with_consent(policy, lexicon):
    lead = record(policy, lexicon, contact_consent=True)
    assert {k: lead[k] for k in CONTACT_DETAILS} == CONTACT
    assert lead["contact_consent"] is True and lead["contact_consent_at"] == WHEN


def test_contact_kept_with_a_request_for_a_person(policy, lexicon):
    lead = record(policy, lexicon, contact_consent=None, human_requested=True)
    assert {k: lead[k] for k in CONTACT_DETAILS} == CONTACT and lead["human_requested"] is True


@pytest.mark.parametrize("consent", [None, False])
def test_contact_dropped_without_consent_or_request(policy, lexicon, consent):
    lead = record(policy, lexicon, contact_consent=consent)
    assert not any(k in lead for k in CONTACT_DETAILS)
    assert lead["contact_consent"] is consent


@pytest.mark.parametrize("extra", [{"contact_consent": True}, {"human_requested": True}])
def test_never_a_minors_contact_details_or_consent(policy, lexicon, extra):
    lead = record(policy, lexicon, age=16.0, **extra)
    assert not any(k in lead for k in CONTACT_DETAILS)
    assert lead["contact_consent"] is None and lead["contact_consent_at"] is None
    assert not keeps_contact({"age": 16.0, **extra}, policy)


def test_outcome_is_assessed_and_answers_hold_health_only(policy, lexicon):
    lead = record(policy, lexicon, contact_consent=True, heart_condition=True, unclear_answers={"email": "jane at"})
    assert lead["outcome"] == "needs_review" and lead["reasons"] == ["a heart or blood pressure condition"]
    assert lead["conversation_id"] == "conv-1" and lead["health_consent_at"] == WHEN
    assert lead["answers"]["condition_detail"] == "my right foot" and "full_name" not in lead["answers"]
    assert lead["answers"].get("unclear_answers", {}) == {}  # a contact detail given up on is no health answer


def test_before_an_outcome_and_flags_win(policy):
    slots = {"age": 45.0, "crisis_possible": True, "lead_id": "L-ABCDEFGH"}
    lead = lead_record(slots, None, policy, "conv-2", urgent=True, human_requested=True)
    assert (
        lead["id"] == "L-ABCDEFGH" and lead["outcome"] is None and lead["reasons"] == [] and lead["medications"] == []
    )
    assert lead["urgent"] is True and lead["human_requested"] is True
    assert lead["answers"]["clinician_notes"] == [CRISIS_CHECK_NOTE]
