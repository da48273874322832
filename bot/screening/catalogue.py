"""The catalogue of questions: each question the bot asks, declared once.

The form's slot lists, eligibility (which answers are needed, the plain-language reasons), the policy
check that every criterion exists, the form actions' extract methods, and every staff view of a lead
(dashboard, CSV, email, FHIR) read this list. Prompts, buttons and "why do you ask" answers stay in
domain.yml responses (`utter_ask_<slot>`, `utter_why_<slot>`), the standard Rasa way;
tests/test_catalogue.py checks that the two agree. Adding a question: docs/adding-a-question.md.

Readers are looked up at call time (`questions()` reads `QUESTIONS`), so a test can add a question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

from bot.screening import parsing

# Kinds of answer: how a value is read, stored and shown.
YES_NO = "yes_no"  # True / False, plus "not sure" kept in unsure_answers
NUMBER = "number"
CHOICE = "choice"  # a canonical name from a list (the condition)
TEXT = "text"  # the visitor's own words
MEDICATIONS = "medications"  # a list of generic names
CONFIRMATION = "confirmation"  # "is this right?" about an earlier answer
CONTACT = "contact"  # a contact detail: kept in the lead's columns, never with the health answers

SCREENING_FORM, CONTACT_FORM = "screening_form", "contact_form"


@dataclass(frozen=True)
class Question:
    """One question: its slot, how it is read, what it feeds in the policy, and how staff see it.

    `criteria` are the clinic_policy.yml `criteria` keys this answer can trigger; the answer is needed
    (missing or unclear sends the screening to review) when one of them is not just a note, or always
    when `always_needed`. `reason` names the topic for the visitor, in a sentence's middle ("liver
    disease", "your age"); for a yes/no question it is also the reason a "yes" is given.
    """

    slot: str
    kind: str
    reason: str
    label: str = ""  # what staff see beside the answer; a yes/no question's defaults to its reason
    criteria: Tuple[str, ...] = ()
    always_needed: bool = False
    reader: Optional[Callable[..., object]] = None  # the parsing function for its answers (yes/no: text, slot, intent)
    unit: str = ""  # how a number is shown: "{} months"
    form: str = SCREENING_FORM
    ask: str = ""  # the Rasa response or action that asks it; utter_ask_<slot> by default

    @property
    def staff_label(self) -> str:
        return self.label or self.reason[:1].upper() + self.reason[1:]

    @property
    def ask_with(self) -> str:
        return self.ask or f"utter_ask_{self.slot}"

    @property
    def why_response(self) -> str:
        """The "why do you ask?" answer (actions.ActionExplainQuestion falls back to utter_why_default)."""
        return f"utter_why_{self.slot}"


def yes_no(slot: str, reason: str) -> Question:
    """A contraindication question: its criterion has the slot's name."""
    return Question(slot, YES_NO, reason, criteria=(slot,), reader=parsing.read_yes_no)


# In asking order.
QUESTIONS: Tuple[Question, ...] = (
    Question("age", NUMBER, "your age", "Age", criteria=("under_minimum_age",), reader=parsing.parse_age),
    Question("condition", CHOICE, "your pain condition", "Condition", criteria=("untreated_condition",),
             reader=None),  # the lexicon's find_condition (it needs the loaded lexicon)
    Question("pain_duration_months", NUMBER, "how long you have had the pain", "Pain for",
             criteria=("short_pain_duration",), reader=parsing.parse_duration_months, unit="{} months"),
    Question("pain_severity", NUMBER, "how bad the pain is", "Severity", reader=parsing.parse_severity, unit="{}/10"),
    Question("prior_treatments", TEXT, "the treatments you have tried", "Treatments tried"),
    # the lexicon's parse_medication_answer reads it; each class's outcome is in clinic_policy.yml medication_classes
    Question("medications", MEDICATIONS, "your medications", "Medications", criteria=("unrecognised_medication",),
             always_needed=True),
    Question("medications_confirmed", CONFIRMATION, "your medication list", "Medication list confirmed",
             always_needed=True, reader=parsing.parse_yes_no, ask="action_ask_medications_confirmed"),
    yes_no("pregnant", "being pregnant, trying to conceive or breastfeeding"),
    yes_no("psychosis_history", "a history of psychosis, schizophrenia or mania with psychotic features"),
    yes_no("heart_condition", "a heart or blood pressure condition"),
    yes_no("liver_disease", "liver disease"),
    yes_no("substance_use", "current alcohol or drug use, or past ketamine misuse"),
    yes_no("ketamine_reaction", "an earlier allergic or severe reaction to ketamine"),
    yes_no("pressure_condition", "glaucoma, raised pressure in the head or a recent head injury"),
    yes_no("seizure_history", "a history of seizures"),
    Question("full_name", CONTACT, "your name", "Name", reader=parsing.parse_name, form=CONTACT_FORM),
    Question("email", CONTACT, "your email", "Email", reader=parsing.parse_email, form=CONTACT_FORM),
    Question("phone", CONTACT, "your phone number", "Phone", reader=parsing.parse_phone, form=CONTACT_FORM),
    Question("preferred_contact_time", CONTACT, "the best time to call", "Best time", form=CONTACT_FORM),
    Question("contact_consent", CONTACT, "whether we may contact you", "Contact consent", reader=parsing.parse_yes_no,
             form=CONTACT_FORM),
)


def questions(form: Optional[str] = None) -> Tuple[Question, ...]:
    return tuple(q for q in QUESTIONS if form is None or q.form == form)


def screening_questions() -> Tuple[Question, ...]:
    return questions(SCREENING_FORM)


def screening_slots() -> List[str]:
    return [q.slot for q in screening_questions()]


def contact_slots() -> List[str]:
    return [q.slot for q in questions(CONTACT_FORM)]


def yes_no_questions() -> Tuple[Question, ...]:
    return tuple(q for q in QUESTIONS if q.kind == YES_NO)


def yes_no_slots() -> List[str]:
    return [q.slot for q in yes_no_questions()]


def find(slot: str) -> Optional[Question]:
    return next((q for q in QUESTIONS if q.slot == slot), None)


def by_slot(slot: str) -> Question:
    question = find(slot)
    if question is None:
        raise KeyError(f"no question in the catalogue fills slot {slot!r}")
    return question


def is_yes_no(slot: str) -> bool:
    question = find(slot)
    return question is not None and question.kind == YES_NO


def criterion_keys() -> Tuple[str, ...]:
    """Every key clinic_policy.yml `criteria` must set: the ones the questions feed, in asking order."""
    return tuple(dict.fromkeys(c for q in QUESTIONS for c in q.criteria))
