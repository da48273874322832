"""The screening conversation's rules, free of Rasa: which question comes next and how each answer is read.

Each `extract_*` function takes what the visitor just said (text, intent, entities), which question
is open, and the answers so far, and returns the slot values this message gives. The Rasa form
validation actions call them one per slot.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Mapping, Optional

from bot.screening import catalogue, parsing
from bot.screening.eligibility import stop_asking_after_age
from bot.screening.lexicon import Lexicon
from bot.screening.policy import Policy

# Intents that always leave the form to its rules (deterministic safety and control).
HARD_INTERRUPTIONS = {"crisis", "request_human", "restart", "stop", "erase_data"}
# Intents that may still carry a structured answer ("why do you ask? I'm 45") but never free text.
SOFT_INTERRUPTIONS = {
    "why_ask",
    "bot_challenge",
    "out_of_scope",
    "faq_what_is",
    "faq_how_it_works",
    "faq_num_infusions",
    "faq_relief_duration",
    "faq_side_effects",
    "faq_addictive",
    "faq_cost",
    "faq_conditions",
}
SURE = 0.95  # classifier confidence above which a FAQ/out-of-scope guess is trusted over a free-text reading
QUESTION_START = re.compile(
    r"^\s*(?:what|what's|whats|why|how|when|where|who|which|is it|is this|is ketamine|are you|are there|does|do you|"
    r"do i|can i|can it|can you|could you|will it|would it|should i|tell me)\b",
    re.I,
)
CORRECTION_CUE = re.compile(
    r"\b(?:actually|sorry|i meant|i mean|meant to say|correction|mistake|typo|typed (?:that |it )?wrong|"
    r"wrong (?:age|answer)|(?:was|is|that'?s|that was) wrong|not right|not .+ but|oops|wait|hang on|hold on|scratch that|"
    r"my bad|i misspoke|let me correct)\b",
    re.I,
)
MEDICATION_CUE = re.compile(r"\b(?:take|taking|took|on|prescribed|using|also|meds?|medications?|pills?)\b", re.I)
# "nothing right now", "no meds at the moment": none, said in more words than the lexicon's "none".
NO_MEDICATIONS = re.compile(
    r"^\s*(?:nothing|none|nope|no|zero|not (?:taking|on) (?:any|anything)|i'?m not (?:taking|on) (?:any|anything)|"
    r"i don'?t take (?:any|anything))(?:\s+(?:meds|medications?|medicines?|pills?|drugs|prescriptions?))?"
    r"(?:\s*(?:right now|at the moment|currently|at all|now|really|these days|for now))?\s*[.!]*\s*$",
    re.I,
)
ADD_CUE = re.compile(r"\b(?:also|too|as well|plus|forgot|another|add)\b", re.I)


def is_crisis_check(intent: Optional[str], crisis_source: Optional[str]) -> bool:
    """Crisis said by the classifier alone (components/crisis_detector.py): resources, not the end of the screening.
    Anything else called crisis, a missing source included, is treated as sure."""
    return intent == "crisis" and crisis_source == "classifier"


class Turn:
    """What the visitor just said, as the extract functions need it."""

    def __init__(
        self,
        text: str,
        intent: Optional[str] = None,
        entities: Iterable[Mapping[str, Any]] = (),
        requested: Optional[str] = None,
        confidence: float = 1.0,
        crisis_source: Optional[str] = None,
    ) -> None:
        self.text = parsing.clean_text(text or "", 2000)
        self.intent = intent
        self.confidence = confidence
        self.entities = list(entities)
        self.requested = requested
        self.crisis_source = crisis_source

    @property
    def crisis_check(self) -> bool:
        """Crisis by the classifier alone: 988 and 911 are shown, and the message may still answer the question."""
        return is_crisis_check(self.intent, self.crisis_source)

    @property
    def hard_interruption(self) -> bool:
        return self.intent in HARD_INTERRUPTIONS and not self.crisis_check

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().endswith("?") or bool(QUESTION_START.match(self.text))

    @property
    def free_text_allowed(self) -> bool:
        """May this message be a free-text answer (a name, a time, treatments tried)?

        A FAQ or out-of-scope guess only blocks it when the message reads as a question or the
        classifier is sure: names like "Jordan Rivers" can look like anything to a classifier.
        """
        if self.text.startswith("/") or self.hard_interruption:
            return False
        if self.intent in SOFT_INTERRUPTIONS:
            return not self.is_question and self.confidence < SURE
        return True

    def entity_values(self, name: str) -> List[str]:
        return [str(e.get("value")).lower() for e in self.entities if e.get("entity") == name and e.get("value")]

    def asked(self, slot: str) -> bool:
        return self.requested == slot


def interrupted_form(events: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """The form that was running when the visitor asked to delete their data (data/rules/privacy.yml sets it aside
    before asking "Delete it?", so a typed "yes" is never read as an answer), or None if none was.

    The last loop event is that set-aside (no name); the one before it tells which form, if any, was active.
    """
    loops = [event.get("name") for event in events if event.get("event") == "active_loop"]
    return loops[-2] if len(loops) >= 2 and loops[-1] is None and loops[-2] else None


# --- which questions --------------------------------------------------------------------------
def screening_required_slots(slots: Mapping[str, Any], policy: Policy) -> List[str]:
    """All screening questions, except none after an age the clinic excludes (collect only what triage needs)."""
    if stop_asking_after_age(slots.get("age"), policy):
        return ["age"]
    # An answer marked unclear (kept as the visitor's words) is not asked again; eligibility sends it to review.
    unclear = set(slots.get("unclear_answers") or {})
    return [slot for slot in catalogue.screening_slots() if slot not in unclear]


def contact_required_slots(slots: Mapping[str, Any], policy: Policy) -> List[str]:
    """Contact details: never from a minor; offered, not pressed, when not eligible."""
    if stop_asking_after_age(slots.get("age"), policy):
        return []
    unclear = set(slots.get("unclear_answers") or {})  # given up after two unreadable answers: not asked again
    if slots.get("screening_outcome") == "not_eligible" and not slots.get("human_requested"):
        if slots.get("contact_wanted") is not True:
            return [] if "contact_wanted" in unclear else ["contact_wanted"]
        return ["contact_wanted"] + [slot for slot in catalogue.contact_slots() if slot not in unclear]
    return [slot for slot in catalogue.contact_slots() if slot not in unclear]


# --- a question that got no answer ----------------------------------------------------------------
GIVE_UP_AFTER = 2  # unanswered turns in a row for one question: then its words go to the clinician


def unanswered(slot: str, text: str, slots: Mapping[str, Any]) -> Dict[str, Any]:
    """The open question got no usable answer this turn (unreadable, invalid, or an interruption).

    First time: `failed_slot` names it, so the form asks it again in other words (the `utter_ask_<slot>`
    variation conditioned on `failed_slot`). Second time in a row: the visitor's words are kept in
    `unclear_answers` for the clinician and the form moves on; the slot stays empty, which eligibility
    sends to review. Contact details that failed twice are left out (no invalid value is kept).
    """
    count = int(slots.get("failed_attempts") or 0) if slots.get("failed_slot") == slot else 0
    count += 1
    if count < GIVE_UP_AFTER:
        return {slot: None, "failed_slot": slot, "failed_attempts": float(count)}
    unclear = dict(slots.get("unclear_answers") or {})
    unclear[slot] = parsing.clean_text(text) if slot in catalogue.screening_slots() else None
    return {slot: None, "failed_slot": None, "failed_attempts": None, "unclear_answers": unclear}


def answered(slots: Mapping[str, Any], slot: Optional[str] = None) -> Dict[str, Any]:
    """The open question was answered: its count starts again.

    A count for another question is kept: a medication read-back turned down twice is not asked a
    third time, although the list itself was answered in between.
    """
    failed = slots.get("failed_slot")
    return {"failed_slot": None, "failed_attempts": None} if failed and (slot is None or failed == slot) else {}


def correction_events(turn: Turn, slots: Mapping[str, Any], policy: Policy, lexicon: Lexicon) -> Dict[str, Any]:
    """Corrections of screening answers while the contact questions are open ("actually I'm 17").

    Returns the changed answers plus the re-evaluated outcome; a visitor who turns out to be a minor
    loses every contact detail given so far.
    """
    from bot.screening.eligibility import assess  # local: eligibility is only needed here and by the actions

    if turn.hard_interruption:
        return {}
    changes: Dict[str, Any] = {}
    age = parsing.parse_age(turn.text, asked=False)
    if age is not None and age != slots.get("age"):
        changes["age"] = age
    cue = bool(CORRECTION_CUE.search(turn.text) or ADD_CUE.search(turn.text))
    for slot, value in catalogue.find_volunteered(turn.text).items():
        if (cue or slots.get(slot) is None) and slots.get(slot) != value:
            changes[slot] = value
    if cue:
        condition = extract_condition(turn, slots.get("condition"), lexicon)
        if condition.get("condition") and condition["condition"] != slots.get("condition"):
            changes.update(condition)
    if not changes:
        return {}
    merged = dict(slots)
    merged.update(changes)
    result = assess(merged, policy, lexicon)
    changes.update({"screening_outcome": result.outcome, "outcome_reasons": result.reasons})
    if stop_asking_after_age(merged.get("age"), policy):
        changes.update(dict.fromkeys(catalogue.contact_slots() + ["contact_wanted"], None))
    return changes


# --- reading answers ----------------------------------------------------------------------------
def extract_age(turn: Turn, current: Optional[float]) -> Optional[float]:
    """Any age stated as an age ("I'm actually 17") corrects the answer; a bare number only when asked."""
    if turn.hard_interruption:
        return None
    if not turn.asked("age") and CORRECTION_CUE.search(turn.text):
        swapped = parsing.parse_swapped_number(turn.text, current)  # "oops I meant 45 not 54"
        if swapped is not None:
            return parsing.age_in_range(swapped)
    return parsing.parse_age(turn.text, asked=turn.asked("age"))


def _answers_something_else(turn: Turn) -> bool:
    """The message states another answer (an age, a correction, how long), so it is not this question's answer."""
    return bool(
        parsing.parse_age(turn.text, asked=False) is not None
        or CORRECTION_CUE.search(turn.text)
        or parsing.parse_duration_months(turn.text, asked=False) is not None
    )


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
    if asked and turn.free_text_allowed and _looks_like_answer(turn.text) and not _answers_something_else(turn):
        return {"condition": "other", "condition_detail": turn.text[:200]}
    return {}


NOT_DURATION_ANSWERS = {"medications", "medications_confirmed", "prior_treatments", "pain_severity"}


def extract_pain_duration(turn: Turn, current: Optional[float] = None, age: Optional[float] = None) -> Optional[float]:
    """How long, from the duration question or a clear statement ("I've had pain for 8 years").

    Never from a medication, treatment or severity answer ("twice a day", "PT for 2 years"), and an
    earlier answer changes only with a correction cue.
    """
    if turn.hard_interruption:
        return None
    if turn.asked("pain_duration_months"):
        return parsing.parse_duration_months(turn.text, asked=True, age=age)
    cue = bool(CORRECTION_CUE.search(turn.text))
    if (turn.requested in NOT_DURATION_ANSWERS or current is not None) and not cue:
        return None
    swapped = parsing.parse_swapped_unit(turn.text, current)  # "I meant 2 years, not months"
    if swapped is not None:
        return swapped
    return parsing.parse_duration_months(turn.text, asked=False, age=age)


def extract_pain_severity(turn: Turn) -> Optional[float]:
    if turn.hard_interruption:
        return None
    return parsing.parse_severity(turn.text, asked=turn.asked("pain_severity"))


def extract_prior_treatments(turn: Turn) -> Optional[str]:
    if turn.asked("prior_treatments") and turn.free_text_allowed and _looks_like_answer(turn.text):
        return turn.text[:500]
    return None


def extract_medications(
    turn: Turn, current: Optional[List[str]], typed: Optional[List[str]], lexicon: Lexicon
) -> Dict[str, Any]:
    """Medications: the answer replaces the list; "I also take X" adds; a mention elsewhere fills an empty list."""
    if turn.hard_interruption or turn.requested == "prior_treatments":
        return {}
    asked = turn.asked("medications")
    fixing = turn.asked("medications_confirmed")
    if asked:
        if NO_MEDICATIONS.match(turn.text) and not lexicon.find_medications(turn.text):
            return {"medications": [], "medications_typed": []}
        meds = lexicon.parse_medication_answer(turn.text) if turn.free_text_allowed or turn.intent == "deny" else None
        if meds is None:
            resolved = [lexicon.resolve(v) for v in turn.entity_values("medication")]
            meds = [m for m in resolved if m] or None

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


def extract_yes_no(
    turn: Turn,
    slot: str,
    unsure: Optional[List[str]],
    current: Optional[bool] = None,
    notes: Optional[Mapping[str, str]] = None,
) -> Dict[str, Any]:
    """A contraindication answer, read as people give it (see parsing.read_yes_no and the question's words in catalogue.py), or a statement in passing.

    'Not sure' is stored as False plus the slot in `unsure_answers` (review). A hedged or qualified
    answer ("I don't think so", "well controlled with one pill") keeps the visitor's words in
    `answer_notes` for the clinician and does not by itself send the screening to review.
    Said in passing, a statement fills an empty answer; an earlier answer changes only with a cue.
    """
    if turn.hard_interruption:
        return {}
    if turn.asked(slot):
        reading = catalogue.read_yes_no(turn.text, slot, turn.intent)  # with the question's own words
        if reading.value is None and not reading.unsure:
            return {}
        result: Dict[str, Any] = {slot: bool(reading.value)}
        if reading.unsure:
            result["unsure_answers"] = sorted(set(unsure or []) | {slot})
        else:
            result["unsure_answers"] = sorted(set(unsure or []) - {slot})
        notes = dict(notes or {})
        if reading.note:
            notes[slot] = turn.text[:200]
            result["answer_notes"] = notes
        elif slot in notes:
            notes.pop(slot)
            result["answer_notes"] = notes or None
        return result
    volunteered = catalogue.find_volunteered(turn.text)
    if slot in volunteered:
        if current is not None and not (CORRECTION_CUE.search(turn.text) or ADD_CUE.search(turn.text)):
            return {}
        return {slot: volunteered[slot]}
    return {}


def extract_consent(turn: Turn) -> Optional[bool]:
    """Consent to the health questions: a clear yes or no only (a hedge or "not sure" is no answer yet)."""
    if not turn.asked("health_data_consent") or turn.hard_interruption:
        return None
    reading = parsing.read_yes_no(turn.text, None, turn.intent)
    return None if reading.note or reading.unsure else reading.value


def extract_contact_wanted(turn: Turn) -> Optional[bool]:
    if not turn.asked("contact_wanted") or turn.hard_interruption:
        return None
    return parsing.parse_preference(turn.text, turn.intent)


def extract_full_name(turn: Turn) -> Optional[str]:
    """The name, when asked; a sure FAQ/out-of-scope guess does not block one that looks like a name."""
    if not turn.asked("full_name"):
        return None
    if not turn.free_text_allowed and (
        turn.hard_interruption
        or turn.text.startswith("/")
        or turn.is_question
        or not parsing.looks_like_a_name(turn.text)
    ):
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
