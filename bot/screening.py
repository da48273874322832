"""The screening conversation's rules, free of Rasa: which question comes next and how each answer is read.

Each `extract_*` function takes what the visitor just said (text, intent, entities), which question
is open, and the answers so far, and returns the slot values this message gives. The Rasa form
validation actions call them one per slot.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Mapping, Optional

from bot import parsing
from bot.eligibility import stop_asking_after_age
from bot.lexicon import Lexicon
from bot.policy import Policy

SCREENING_SLOTS = [
    "age", "condition", "pain_duration_months", "pain_severity", "prior_treatments", "medications",
    "medications_confirmed", "pregnant", "psychosis_history", "heart_condition", "liver_disease",
    "substance_use", "ketamine_reaction", "pressure_condition", "seizure_history",
]
YES_NO_SLOTS = [
    "pregnant", "psychosis_history", "heart_condition", "liver_disease", "substance_use",
    "ketamine_reaction", "pressure_condition", "seizure_history",
]
CONTACT_SLOTS = ["full_name", "email", "phone", "preferred_contact_time", "contact_consent"]

# Intents that always leave the form to its rules (deterministic safety and control).
HARD_INTERRUPTIONS = {"crisis", "request_human", "restart", "stop"}
# Intents that may still carry a structured answer ("why do you ask? I'm 45") but never free text.
SOFT_INTERRUPTIONS = {
    "why_ask", "bot_challenge", "out_of_scope", "faq_what_is", "faq_how_it_works", "faq_num_infusions",
    "faq_relief_duration", "faq_side_effects", "faq_addictive", "faq_cost", "faq_conditions",
}
SURE = 0.95  # classifier confidence above which a FAQ/out-of-scope guess is trusted over a free-text reading
QUESTION_START = re.compile(
    r"^\s*(?:what|what's|whats|why|how|when|where|who|which|is it|is this|is ketamine|are you|are there|does|do you|"
    r"do i|can i|can it|can you|could you|will it|would it|should i|tell me)\b",
    re.I,
)
CORRECTION_CUE = re.compile(r"\b(?:actually|sorry|i meant|correction|mistake|typo|not .+ but|oops|wait)\b", re.I)
MEDICATION_CUE = re.compile(r"\b(?:take|taking|took|on|prescribed|using|also|meds?|medications?|pills?)\b", re.I)
ADD_CUE = re.compile(r"\b(?:also|too|as well|plus|forgot|another|add)\b", re.I)


class Turn:
    """What the visitor just said, as the extract functions need it."""

    def __init__(self, text: str, intent: Optional[str] = None, entities: Iterable[Mapping[str, Any]] = (),
                 requested: Optional[str] = None, confidence: float = 1.0) -> None:
        self.text = parsing.clean_text(text or "", 2000)
        self.intent = intent
        self.confidence = confidence
        self.entities = list(entities)
        self.requested = requested

    @property
    def hard_interruption(self) -> bool:
        return self.intent in HARD_INTERRUPTIONS

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().endswith("?") or bool(QUESTION_START.match(self.text))

    @property
    def free_text_allowed(self) -> bool:
        """May this message be a free-text answer (a name, a time, treatments tried)?

        A FAQ or out-of-scope guess only blocks it when the message reads as a question or the
        classifier is sure: names like "Jordan Rivers" can look like anything to a classifier.
        """
        if self.text.startswith("/") or self.intent in HARD_INTERRUPTIONS:
            return False
        if self.intent in SOFT_INTERRUPTIONS:
            return not self.is_question and self.confidence < SURE
        return True

    def entity_values(self, name: str) -> List[str]:
        return [str(e.get("value")).lower() for e in self.entities if e.get("entity") == name and e.get("value")]

    def asked(self, slot: str) -> bool:
        return self.requested == slot


# --- which questions --------------------------------------------------------------------------
def screening_required_slots(slots: Mapping[str, Any], policy: Policy) -> List[str]:
    """All screening questions, except none after an age the clinic excludes (collect only what triage needs)."""
    if stop_asking_after_age(slots.get("age"), policy):
        return ["age"]
    # An answer marked unclear (kept as the visitor's words) is not asked again; eligibility sends it to review.
    unclear = set(slots.get("unclear_answers") or {})
    return [slot for slot in SCREENING_SLOTS if slot not in unclear]


def contact_required_slots(slots: Mapping[str, Any], policy: Policy) -> List[str]:
    """Contact details: never from a minor; offered, not pressed, when not eligible."""
    if stop_asking_after_age(slots.get("age"), policy):
        return []
    if slots.get("screening_outcome") == "not_eligible" and not slots.get("human_requested"):
        if slots.get("contact_wanted") is not True:
            return ["contact_wanted"]
        return ["contact_wanted"] + CONTACT_SLOTS
    return list(CONTACT_SLOTS)


# --- reading answers ----------------------------------------------------------------------------
def extract_age(turn: Turn, current: Optional[float]) -> Optional[float]:
    if turn.hard_interruption:
        return None
    return parsing.parse_age(turn.text, asked=turn.asked("age"))


def extract_condition(turn: Turn, current: Optional[str], lexicon: Lexicon) -> Dict[str, Any]:
    """Condition from an entity or the lexicon; when asked and nothing matches, 'other' with the visitor's words."""
    if turn.hard_interruption or (turn.requested in ("prior_treatments", "medications") and current):
        return {}
    asked = turn.asked("condition")
    if current and not asked and not CORRECTION_CUE.search(turn.text):
        return {}
    values = [v for v in turn.entity_values("condition") if v]
    canonical = values[0] if values else lexicon.find_condition(turn.text, fuzzy=asked)
    if canonical:
        return {"condition": canonical, "condition_detail": turn.text[:200]}
    if asked and turn.free_text_allowed and _looks_like_answer(turn.text):
        return {"condition": "other", "condition_detail": turn.text[:200]}
    return {}


def extract_pain_duration(turn: Turn) -> Optional[float]:
    if turn.hard_interruption:
        return None
    return parsing.parse_duration_months(turn.text, asked=turn.asked("pain_duration_months"))


def extract_pain_severity(turn: Turn) -> Optional[float]:
    if turn.hard_interruption:
        return None
    return parsing.parse_severity(turn.text, asked=turn.asked("pain_severity"))


def extract_prior_treatments(turn: Turn) -> Optional[str]:
    if turn.asked("prior_treatments") and turn.free_text_allowed and _looks_like_answer(turn.text):
        return turn.text[:500]
    return None


def extract_medications(turn: Turn, current: Optional[List[str]], typed: Optional[List[str]], lexicon: Lexicon) -> Dict[str, Any]:
    """Medications: the answer replaces the list; "I also take X" adds; a mention elsewhere fills an empty list."""
    if turn.hard_interruption or turn.requested == "prior_treatments":
        return {}
    asked = turn.asked("medications")
    fixing = turn.asked("medications_confirmed")
    if asked:
        meds = lexicon.parse_medication_answer(turn.text) if turn.free_text_allowed or turn.intent == "deny" else None
        if meds is None:
            meds = [lexicon.resolve(v) for v in turn.entity_values("medication")]
            meds = [m for m in meds if m] or None
        if meds is None:
            return {}
        return {"medications": [m.slot_value for m in meds], "medications_typed": [m.typed for m in meds]}
    if not MEDICATION_CUE.search(turn.text) and not fixing:
        return {}
    found = lexicon.find_medications(turn.text, asked=fixing)
    if not found:
        return {}
    generics, names = list(current or []), list(typed or [])
    if current and not (ADD_CUE.search(turn.text) or fixing or CORRECTION_CUE.search(turn.text)):
        return {}
    for med in found:
        if med.slot_value not in generics:
            generics.append(med.slot_value)
            names.append(med.typed)
    if generics == list(current or []):
        return {}
    return {"medications": generics, "medications_typed": names, "medications_confirmed": None}


def extract_medications_confirmed(turn: Turn) -> Dict[str, Any]:
    """The read-back answer: yes confirms; no clears the list so it is asked again."""
    if not turn.asked("medications_confirmed") or turn.hard_interruption:
        return {}
    answer = parsing.parse_yes_no(turn.text, turn.intent)
    if answer is True:
        return {"medications_confirmed": True}
    if answer is False or re.search(r"\bfix\b|\bwrong\b|\bchange\b", turn.text, re.I):
        return {"medications_confirmed": None, "medications": None, "medications_typed": None}
    return {}


def extract_yes_no(turn: Turn, slot: str, unsure: Optional[List[str]]) -> Dict[str, Any]:
    """A contraindication answer: yes/no when asked; a statement in passing ('I have glaucoma') anywhere.

    'Not sure' is stored as False plus a note in `unsure_answers`, which sends the screening to review.
    """
    if turn.hard_interruption:
        return {}
    if turn.asked(slot):
        answer = parsing.parse_yes_no(turn.text, turn.intent)
        if answer is None and parsing.is_unsure(turn.text):
            return {slot: False, "unsure_answers": sorted(set(unsure or []) | {slot})}
        if answer is None:
            answer = parsing.find_volunteered(turn.text).get(slot)
        if answer is None:
            return {}
        return {slot: answer, "unsure_answers": sorted(set(unsure or []) - {slot})}
    volunteered = parsing.find_volunteered(turn.text)
    if slot in volunteered:
        return {slot: volunteered[slot]}
    return {}


def extract_contact_wanted(turn: Turn) -> Optional[bool]:
    if not turn.asked("contact_wanted") or turn.hard_interruption:
        return None
    return parsing.parse_yes_no(turn.text, turn.intent)


def extract_full_name(turn: Turn) -> Optional[str]:
    if not turn.asked("full_name") or not turn.free_text_allowed:
        return None
    return parsing.parse_name(turn.text)


def extract_email(turn: Turn) -> Dict[str, Any]:
    """An email anywhere; when asked and malformed, the slot is cleared so the form asks again."""
    if turn.hard_interruption:
        return {}
    email = parsing.parse_email(turn.text)
    if email:
        return {"email": email}
    if turn.asked("email") and turn.free_text_allowed:
        return {"email": None, "_invalid": "email"}
    return {}


def extract_phone(turn: Turn) -> Dict[str, Any]:
    if turn.hard_interruption or (turn.requested != "phone" and "@" in turn.text):
        return {}
    if turn.asked("phone"):
        phone = parsing.parse_phone(turn.text)
        if phone:
            return {"phone": phone}
        if turn.free_text_allowed:
            return {"phone": None, "_invalid": "phone"}
        return {}
    if re.search(r"\d{3}\D{0,2}\d{3}\D?\d{4}", turn.text):
        phone = parsing.parse_phone(turn.text)
        return {"phone": phone} if phone else {}
    return {}


def extract_preferred_contact_time(turn: Turn) -> Optional[str]:
    if not turn.asked("preferred_contact_time") or not turn.free_text_allowed:
        return None
    return turn.text[:200] if _looks_like_answer(turn.text) else None


def extract_contact_consent(turn: Turn) -> Optional[bool]:
    if not turn.asked("contact_consent") or turn.hard_interruption:
        return None
    return parsing.parse_yes_no(turn.text, turn.intent)


def _looks_like_answer(text: str) -> bool:
    return bool(re.search(r"[A-Za-z0-9]{2,}", text))


def answers_from_slots(slots: Mapping[str, Any]) -> Dict[str, Any]:
    """The screening answers as stored with a lead (health answers only; contact details live in columns)."""
    keys = SCREENING_SLOTS + [
        "condition_detail", "unsure_answers", "unclear_answers", "medications_typed", "health_data_consent",
    ]
    return {k: slots.get(k) for k in keys if slots.get(k) is not None}
