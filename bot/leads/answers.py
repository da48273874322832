"""One view of a lead's screening answers, for every place staff read them: dashboard, CSV, email, FHIR.

Each question in the catalogue becomes a row with one of four states, worded the same everywhere:
- answered: the value, shown for people ("18 months", "8/10", "yes");
- unsure: the visitor said they were not sure (yes/no questions; a clinician reviews it);
- unclear: the question was asked, but twice got words the bot could not read (kept for the clinician);
- missing: no answer is stored ("not answered": never reached, the visitor left, or a minor was not
  asked more). The stored data cannot tell those apart, so one wording covers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional

from bot.screening import catalogue
from bot.screening.catalogue import Question

ANSWERED, UNSURE, UNCLEAR, MISSING = "answered", "unsure", "unclear", "missing"
NOT_ANSWERED = "not answered"


@dataclass(frozen=True)
class AnswerRow:
    slot: str
    label: str  # the catalogue's staff label
    shown: str  # the answer as staff read it
    flag: bool  # worth a clinician's eye: a yes, unsure or unclear contraindication answer
    state: str  # answered / unsure / unclear / missing
    value: Any = None  # the stored value, for exports that keep types (FHIR)
    kind: str = ""


def _number(value: Any) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def show(question: Question, value: Any, answers: Mapping[str, Any]) -> str:
    """An answered question's value as people read it."""
    kind = question.kind
    if kind in (catalogue.YES_NO, catalogue.CONFIRMATION):
        return "yes" if value else "no"
    if kind == catalogue.NUMBER:
        return (question.unit or "{}").format(_number(value))
    if kind == catalogue.MEDICATIONS:
        typed = answers.get("medications_typed") or value
        return ", ".join(str(m) for m in typed) or "none"
    if isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    detail = answers.get(f"{question.slot}_detail")  # condition_detail: the visitor's own words
    return f"{text} ({detail})" if detail and detail != text else text


def row(question: Question, answers: Mapping[str, Any]) -> AnswerRow:
    slot = question.slot
    value = answers.get(slot)
    unclear = answers.get("unclear_answers") or {}
    yes_no = question.kind == catalogue.YES_NO
    if yes_no and slot in (answers.get("unsure_answers") or []):
        state, shown = UNSURE, "unsure"
    elif value is None and slot in unclear:
        words = unclear.get(slot)
        state, shown = UNCLEAR, f'unclear (said: "{words}")' if words else "unclear"
    elif value is None:
        state, shown = MISSING, NOT_ANSWERED
    else:
        state, shown = ANSWERED, show(question, value, answers)
    flag = (yes_no and (value is True or state == UNSURE)) or state == UNCLEAR
    return AnswerRow(slot, question.staff_label, shown, flag, state, value, question.kind)


def answer_rows(lead: Mapping[str, Any], kinds: Optional[List[str]] = None) -> List[AnswerRow]:
    """The lead's screening answers in asking order; `kinds` narrows them (e.g. only yes/no).

    The read-back confirmation is left out: it is about the medication list, not an answer of its own.
    """
    answers = lead.get("answers") or {}
    return [
        row(q, answers)
        for q in catalogue.screening_questions()
        if q.kind != catalogue.CONFIRMATION and (kinds is None or q.kind in kinds)
    ]
