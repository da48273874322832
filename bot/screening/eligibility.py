"""Eligibility: the screening answers + the clinic policy -> qualified / needs_review / not_eligible.

The guideline (Cohen 2018) lists no absolute contraindications, so the default only excludes on
rules the clinic itself sets in clinic_policy.yml; everything else is flagged for a clinician.
Reasons are written for the visitor: plain, kind, never a dose, never advice to start or stop
a medication.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from bot.screening import catalogue
from bot.screening.lexicon import SUBSTANCE_CLASS, Lexicon
from bot.screening.policy import Policy

QUALIFIED, NEEDS_REVIEW, NOT_ELIGIBLE = "qualified", "needs_review", "not_eligible"


@dataclass
class MedicationFinding:
    """One medication as staff see it: what was typed, what it is, and why it matters."""

    name: str
    drug_class: Optional[str]
    class_label: Optional[str]
    outcome: str  # exclude / review / note
    why: str

    def as_dict(self) -> Dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Assessment:
    outcome: str
    reasons: List[str] = field(default_factory=list)  # for the visitor and staff
    notes: List[str] = field(default_factory=list)  # for the clinician only
    medications: List[MedicationFinding] = field(default_factory=list)


def _flag(
    policy: Policy, criterion: str, reason: str, excludes: List[str], reviews: List[str], notes: List[str]
) -> None:
    action = policy.criteria[criterion]
    {"exclude": excludes, "review": reviews, "note": notes}[action].append(reason)


def needed_answers(policy: Policy) -> List[str]:
    """Every answer whose absence could hide an exclusion or a review under this policy (catalogue order)."""
    return [
        q.slot
        for q in catalogue.screening_questions()
        if q.always_needed or any(policy.criteria[c] != "note" for c in q.criteria)
    ]


def yes_no_reasons() -> Dict[str, str]:
    """The plain-language reason per yes/no question, shown to the visitor and to staff."""
    return {q.slot: q.reason for q in catalogue.yes_no_questions()}


def missing_or_unclear(answers: Mapping[str, Any], policy: Policy) -> List[str]:
    """The needed answers that are missing, unclear (kept as words for a clinician) or not confirmed.

    Fail-safe: a screening is `qualified` only when this list is empty. An answer lost to a failed
    server call, a question never asked, or words the bot could not read all land here.
    """
    unclear = set(answers.get("unclear_answers") or {})
    gaps = []
    for slot in needed_answers(policy):
        value = answers.get(slot)
        unconfirmed = catalogue.by_slot(slot).kind == catalogue.CONFIRMATION and value is not True
        if slot in unclear or value is None or unconfirmed:
            gaps.append(slot)
    return gaps


def _gap_reason(slot: str) -> str:
    return f"an answer we still need about {catalogue.by_slot(slot).reason}"


def assess(answers: Mapping[str, Any], policy: Policy, lexicon: Lexicon) -> Assessment:
    """Apply the clinic policy to the answers.

    A missing or unclear answer is never held against the visitor (it cannot exclude them), and
    never counts in their favour either: it sends the screening to a clinician.
    """
    excludes: List[str] = []
    reviews: List[str] = []
    notes: List[str] = []
    yes_no = yes_no_reasons()

    age = answers.get("age")
    if age is not None and float(age) < policy.minimum_age:
        _flag(policy, "under_minimum_age", f"being under {int(policy.minimum_age)}", excludes, reviews, notes)

    for slot, reason in yes_no.items():
        if answers.get(slot) is True:
            _flag(policy, slot, reason, excludes, reviews, notes)
    for slot in answers.get("unsure_answers") or []:
        if slot in yes_no:
            # Unsure goes to a clinician, but never weighs more than a "yes" would under this policy.
            target = notes if policy.criteria[slot] == "note" else reviews
            target.append(f"not being sure about {yes_no[slot]}")

    for slot, words in (answers.get("answer_notes") or {}).items():
        if slot in yes_no:  # a hedged or qualified answer: recorded for the clinician, not a review
            notes.append(f'about {yes_no[slot]}, said: "{words}"')

    months = answers.get("pain_duration_months")
    if months is not None and float(months) < policy.minimum_pain_months:
        _flag(
            policy,
            "short_pain_duration",
            f"pain for less than {policy.minimum_pain_months:g} months",
            excludes,
            reviews,
            notes,
        )

    condition = answers.get("condition")
    if condition and condition not in policy.treated_conditions:
        _flag(policy, "untreated_condition", "a condition our clinicians need to look at", excludes, reviews, notes)

    findings = []
    for name in answers.get("medications") or []:
        med = lexicon.resolve(name)
        if med is None or med.drug_class is None:  # not recognised
            action = policy.criteria["unrecognised_medication"]
            finding = MedicationFinding(
                name, None, None, action, "not in our medication list; a clinician will check it"
            )
            reason = f"a medication we need to check ({name})"
        elif med.drug_class == SUBSTANCE_CLASS:
            # A street drug or kratom named as a medication counts as substance use, in the same words.
            action = policy.medication_classes.get(SUBSTANCE_CLASS, policy.criteria["substance_use"])
            finding = MedicationFinding(
                name, med.drug_class, med.class_label, action, f"counted as substance use: {_class_why(action)}"
            )
            reason = yes_no["substance_use"]
        else:
            action = policy.medication_classes.get(med.drug_class, policy.criteria["unrecognised_medication"])
            finding = MedicationFinding(
                name, med.drug_class, med.class_label, action, f"{med.class_label}: {_class_why(action)}"
            )
            shown = name.replace("_", " ")  # generic keys such as st_johns_wort
            reason = f"taking {med.class_label}" if med.class_only else f"taking {med.class_label} ({shown})"
        findings.append(finding)
        target = {"exclude": excludes, "review": reviews, "note": notes}[action]
        if reason not in target:  # "yes" to substance use and heroin in the list: one reason
            target.append(reason)

    gaps = [_gap_reason(slot) for slot in missing_or_unclear(answers, policy)]

    if excludes:  # a clear exclusion stands; what else was not asked no longer matters
        outcome = NOT_ELIGIBLE
        reasons = excludes + reviews
    elif reviews or gaps:
        outcome = NEEDS_REVIEW
        reasons = reviews + gaps
    else:
        outcome = QUALIFIED
        reasons = []
    return Assessment(outcome=outcome, reasons=reasons, notes=notes, medications=findings)


def _class_why(action: str) -> str:
    return {
        "exclude": "the clinic does not treat people taking this",
        "review": "can change how ketamine works or how safe it is; a clinician reviews it",
        "note": "recorded for the clinician",
    }[action]


def stop_asking_after_age(age: Optional[float], policy: Policy) -> bool:
    """Under the minimum age and the clinic excludes minors: ask no more health questions."""
    return age is not None and age < policy.minimum_age and policy.criteria["under_minimum_age"] == "exclude"
