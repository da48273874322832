"""What the assistant says where the words depend on answers or clinic policy.

Kind and honest: never "rejected", never a dose, never advice to start or stop a medication.
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional, Sequence

from bot.screening.eligibility import NEEDS_REVIEW, QUALIFIED, Assessment
from bot.screening.lexicon import Lexicon
from bot.screening.policy import Clinic

CRISIS_TEXT = (
    "I'm really sorry you're going through this, and I'm glad you said something. You don't have to face it alone.\n"
    "If you are in immediate danger, call 911 now.\n"
    "You can call or text 988 (the Suicide & Crisis Lifeline) any time, day or night, for you or someone you're "
    "worried about, or chat at 988lifeline.org."
)

# Crisis by the classifier alone (no pattern): the same resources, and the screening is not ended for a misreading.
CRISIS_CHECK_TEXT = (
    "I want to make sure I understood you. If you are thinking about ending your life or hurting yourself, please "
    "call or text 988 (the Suicide & Crisis Lifeline) now, or chat at 988lifeline.org. If you are in immediate "
    "danger, call 911.\n"
    "If I misread you, I'm sorry: we can carry on."
)
CRISIS_CHECK_NOTE = (
    "Possible crisis wording (automated, not confirmed): 988 and 911 were shown. Please check when calling."
)


def read_back(
    typed: Sequence[str], lexicon: Lexicon, values: Optional[Sequence[str]] = None, again: bool = False
) -> str:
    """'Here's what I understood: Xanax (alprazolam), a benzodiazepine. Is that right?'

    `values` (the medications slot) carries what was understood in context ("fentanyl" typed in
    "fentanyl off the street" is kept as street fentanyl); the names are shown as the visitor typed them.
    `again`: the last answer to the read-back was unclear, so the question is put in other words.
    """
    if not typed:
        if again:
            return (
                "Just to check: you don't take any medications right now? Tap Yes if that's right, or No to list them."
            )
        return "You said you don't take any medications right now. Is that right?"
    items: List[str] = []
    paired = list(values) if values is not None and len(values) == len(typed) else [None] * len(typed)
    for name, value in zip(typed, paired):
        med = lexicon.resolve(value) if value else None
        med = dataclasses.replace(med, typed=name) if med else lexicon.resolve(name)
        items.append(med.describe() if med else f"{name} (a name I don't recognise; a clinician will check it)")
    listing = "\n".join(f"- {item}" for item in items)
    if again:
        return (
            f"Is this list of your medications complete and correct?\n{listing}\nTap Yes, or No to type the list again."
        )
    return f"Here's what I understood you take:\n{listing}\nIs that complete and correct?"


def _join(reasons: Sequence[str]) -> str:
    reasons = list(reasons)
    if len(reasons) <= 1:
        return "".join(reasons)
    return ", ".join(reasons[:-1]) + " and " + reasons[-1]


def outcome_message(assessment: Assessment, clinic: Clinic) -> str:
    if assessment.outcome == QUALIFIED:
        return (
            "Thank you for answering. From what you've told me, ketamine treatment may be an option for you. "
            "A clinician still needs to confirm this at an evaluation."
        )
    if assessment.outcome == NEEDS_REVIEW:
        return (
            "Thank you for answering. A clinician will look at your answers before anything else, because of "
            f"{_join(assessment.reasons)}. That's routine and doesn't mean no; it means we want to get it right "
            "for you. Please keep taking your medications as prescribed unless your own doctor tells you otherwise."
        )
    return (
        "Thank you for trusting me with this. Because of "
        f"{_join(assessment.reasons)}, ketamine treatment at {clinic.name} isn't something we can offer right now. "
        "I'm sorry; I know living with pain is hard. Your own doctor is the best person to talk to about other "
        "options that may help."
    )


def contact_offer(again: bool = False) -> str:
    if again:
        return "Should someone from the clinic get in touch with you? Please tap Yes or No."
    return "Would you still like someone from the clinic to contact you, for example to talk about other options?"


def confirmation(lead_id: str, outcome: Optional[str], contact: bool, clinic: Clinic) -> str:
    if contact:
        return (
            f"Thank you. Your reference number is {lead_id}. Someone from {clinic.name} will contact you "
            f"{clinic.callback_window} ({clinic.hours}). If you need us sooner, call {clinic.phone}."
        )
    return (
        f"Thank you. Your answers are saved with reference number {lead_id}. You're welcome to call "
        f"{clinic.phone} ({clinic.hours}) any time."
    )


def minor_message(clinic: Clinic) -> str:
    return (
        "Thank you for telling me. This clinic only treats adults, so I won't ask any more health questions. "
        "Please talk to your own doctor or a parent or guardian about your pain. "
        f"A parent or guardian can call {clinic.phone} with any questions."
    )


def handoff_message(clinic: Clinic, has_contact: bool) -> str:
    if has_contact:
        return f"I've asked someone from {clinic.name} to contact you {clinic.callback_window} ({clinic.hours})."
    return (
        f"Of course. I've asked someone from {clinic.name} to get in touch {clinic.callback_window} "
        f"({clinic.hours}); you can also call {clinic.phone}. So they can reach you, I just need a few details."
    )


def consent_declined(clinic: Clinic) -> str:
    return (
        "That's completely fine; I won't ask any health questions. I'm happy to answer general questions about "
        f"ketamine treatment. You can also reach {clinic.name} at {clinic.phone} or {clinic.email} ({clinic.hours})."
    )
