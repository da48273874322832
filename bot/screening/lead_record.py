"""The lead record a conversation leaves for the clinic, built from plain values (no Rasa, no database).

actions/actions.py gathers the slots and the consent times from the tracker and hands them here;
LeadStore.save writes what this returns. Privacy rules live here so they are tested on their own:
contact details are kept only with consent to be contacted or a request for a person, and never a
minor's (a minor's consent is not kept either).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from bot.screening import catalogue, messages
from bot.screening.eligibility import Assessment, stop_asking_after_age
from bot.screening.policy import Policy

CONTACT_DETAILS = ("full_name", "email", "phone", "preferred_contact_time")
# Kept with the answers besides the questions' own slots: the visitor's words and how sure they were.
ANSWER_COMPANIONS = (
    "condition_detail",
    "unsure_answers",
    "unclear_answers",
    "answer_notes",
    "medications_typed",
    "health_data_consent",
)


def answers_from_slots(slots: Mapping[str, Any]) -> Dict[str, Any]:
    """The screening answers as stored with a lead (health answers only; contact details live in columns)."""
    screening = catalogue.screening_slots()
    answers: Dict[str, Any] = {k: slots.get(k) for k in screening + list(ANSWER_COMPANIONS) if slots.get(k) is not None}
    if answers.get("unclear_answers"):  # contact details given up on are not health answers
        answers["unclear_answers"] = {k: v for k, v in answers["unclear_answers"].items() if k in screening}
    return answers


def keeps_contact(slots: Mapping[str, Any], policy: Policy) -> bool:
    """Contact details are kept with consent or a request for a person, and never from a minor."""
    wanted = slots.get("contact_consent") is True or bool(slots.get("human_requested"))
    return wanted and not stop_asking_after_age(slots.get("age"), policy)


def lead_record(
    slots: Mapping[str, Any],
    assessment: Optional[Assessment],
    policy: Policy,
    conversation_id: str,
    contact_consent_at: Any = None,
    health_consent_at: Any = None,
    **flags: Any,
) -> Dict[str, Any]:
    """The dict LeadStore.save takes. `assessment` is None before a screening outcome; `flags` (urgent,
    human_requested) are set last, as the action that stores the lead says.

    The outcome is the assessment's, never a slot's: a lead is `qualified` only when every answer the
    policy needs is there and clear, whatever a tracker claims (bot/screening/eligibility.py).
    """
    lead: Dict[str, Any] = {
        "id": slots.get("lead_id"),
        "conversation_id": conversation_id,
        "outcome": assessment.outcome if assessment else None,
        "reasons": list(assessment.reasons) if assessment else [],
        "answers": answers_from_slots(slots),
        "medications": [m.as_dict() for m in assessment.medications] if assessment else [],
        "urgent": bool(slots.get("crisis_flag")),
        "human_requested": bool(slots.get("human_requested")),
        "contact_consent": slots.get("contact_consent"),
        "contact_consent_at": contact_consent_at,
        "health_consent_at": health_consent_at,
    }
    notes = list(assessment.notes) if assessment else []
    if slots.get("crisis_possible") and not slots.get("crisis_flag"):
        notes.append(messages.CRISIS_CHECK_NOTE)
    if notes:
        lead["answers"]["clinician_notes"] = notes
    if keeps_contact(slots, policy):
        lead.update({k: slots.get(k) for k in CONTACT_DETAILS})
    if stop_asking_after_age(slots.get("age"), policy):  # a minor's consent is not kept either
        lead.update({"contact_consent": None, "contact_consent_at": None})
    lead.update(flags)
    return lead
