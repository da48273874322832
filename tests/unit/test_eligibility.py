"""Eligibility rules: every criterion of the default policy table, its boundaries, and policy edits."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.screening.eligibility import (
    NEEDS_REVIEW,
    NOT_ELIGIBLE,
    QUALIFIED,
    assess,
    missing_or_unclear,
    needed_answers,
    stop_asking_after_age,
    yes_no_reasons,
)
from bot.screening.lexicon import load_lexicon
from bot.screening.messages import outcome_message
from bot.screening.policy import DEFAULT_PATH, load_policy, parse_policy

YES_NO_REASONS = yes_no_reasons()


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def policy(lexicon):
    return load_policy(known_classes=list(lexicon.classes))


def policy_data():
    """A fresh, mutable copy of the default policy file, as loaded from YAML."""
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def edited(policy, **changes):
    """A copy of the default policy file with some criteria / medication classes changed."""
    data = policy_data()
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        data[section][key] = value
    return parse_policy(data)


# A complete, unremarkable screening: every criterion answered "no".
CLEAN = {
    "age": 45.0,
    "condition": "crps",
    "pain_duration_months": 24.0,
    "pain_severity": 7.0,
    "prior_treatments": "physical therapy, nerve blocks",
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
}


def with_(**overrides):
    answers = dict(CLEAN)
    answers.update(overrides)
    return answers


def test_clean_answers_qualify(policy, lexicon):
    result = assess(CLEAN, policy, lexicon)
    assert result.outcome == QUALIFIED
    assert result.reasons == []
    assert result.notes == []
    assert result.medications == []


def test_no_answers_at_all_is_review_never_qualified(policy, lexicon):
    result = assess({}, policy, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert len(result.reasons) == len(needed_answers(policy))


@pytest.mark.parametrize("slot", sorted(CLEAN))
def test_each_missing_needed_answer_sends_to_review(policy, lexicon, slot):
    """Fail-safe: the answer lost (a failed server call, a skipped question) is never a 'no'."""
    result = assess(with_(**{slot: None}), policy, lexicon)
    if slot in needed_answers(policy):
        assert result.outcome == NEEDS_REVIEW
        assert any("still need" in r for r in result.reasons)
    else:  # severity and treatments tried inform the clinician; no policy rule reads them
        assert result.outcome == QUALIFIED


@pytest.mark.parametrize("slot", sorted(YES_NO_REASONS))
def test_an_unclear_safety_answer_is_review_never_qualified_nor_excluded(policy, lexicon, slot):
    result = assess(with_(**{slot: None, "unclear_answers": {slot: "hmm well sort of"}}), policy, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert missing_or_unclear(with_(unclear_answers={slot: "x"}), policy) == [slot]


def test_an_unconfirmed_medication_list_is_review(policy, lexicon):
    assert assess(with_(medications_confirmed=None), policy, lexicon).outcome == NEEDS_REVIEW
    assert assess(with_(medications_confirmed=False), policy, lexicon).outcome == NEEDS_REVIEW


def test_a_clear_exclusion_stands_when_later_answers_are_missing(policy, lexicon):
    result = assess({"age": 16.0}, policy, lexicon)
    assert result.outcome == NOT_ELIGIBLE
    assert result.reasons == ["being under 18"]


def test_a_note_only_criterion_is_not_needed(policy, lexicon):
    noted = edited(policy, criteria__seizure_history="note")
    assert "seizure_history" not in needed_answers(noted)
    assert assess(with_(seizure_history=None), noted, lexicon).outcome == QUALIFIED


# --- the default policy table, row by row ------------------------------------------------------
@pytest.mark.parametrize(
    "slot, expected_outcome, expected_reason",
    [
        ("pregnant", NOT_ELIGIBLE, "being pregnant, trying to conceive or breastfeeding"),
        ("psychosis_history", NOT_ELIGIBLE, "a history of psychosis, schizophrenia or mania with psychotic features"),
        ("ketamine_reaction", NOT_ELIGIBLE, "an earlier allergic or severe reaction to ketamine"),
        ("heart_condition", NEEDS_REVIEW, "a heart or blood pressure condition"),
        ("liver_disease", NEEDS_REVIEW, "liver disease"),
        ("pressure_condition", NEEDS_REVIEW, "glaucoma, raised pressure in the head or a recent head injury"),
        ("substance_use", NEEDS_REVIEW, "current alcohol or drug use, or past ketamine misuse"),
        ("seizure_history", NEEDS_REVIEW, "a history of seizures"),
    ],
)
def test_each_yes_no_criterion(policy, lexicon, slot, expected_outcome, expected_reason):
    result = assess(with_(**{slot: True}), policy, lexicon)
    assert result.outcome == expected_outcome
    assert result.reasons == [expected_reason]


def test_every_yes_no_criterion_is_covered():
    assert set(YES_NO_REASONS) == {
        "pregnant",
        "psychosis_history",
        "ketamine_reaction",
        "heart_condition",
        "liver_disease",
        "pressure_condition",
        "substance_use",
        "seizure_history",
    }


@pytest.mark.parametrize("slot", sorted(YES_NO_REASONS))
def test_a_no_answer_never_flags(policy, lexicon, slot):
    assert assess(with_(**{slot: False}), policy, lexicon).outcome == QUALIFIED


def test_unanswered_criterion_is_review(policy, lexicon):
    assert assess(with_(pregnant=None), policy, lexicon).outcome == NEEDS_REVIEW


# --- boundaries ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "age, outcome",
    [
        (16, NOT_ELIGIBLE),
        (17, NOT_ELIGIBLE),
        (17.9, NOT_ELIGIBLE),
        (18, QUALIFIED),
        (18.0, QUALIFIED),
        (19, QUALIFIED),
        (90, QUALIFIED),
    ],
)
def test_age_boundary(policy, lexicon, age, outcome):
    result = assess(with_(age=age), policy, lexicon)
    assert result.outcome == outcome
    if outcome == NOT_ELIGIBLE:
        assert result.reasons == ["being under 18"]


@pytest.mark.parametrize(
    "months, outcome",
    [
        (0.5, NEEDS_REVIEW),
        (2.9, NEEDS_REVIEW),
        (2.99, NEEDS_REVIEW),
        (3.0, QUALIFIED),
        (3, QUALIFIED),
        (3.1, QUALIFIED),
        (120, QUALIFIED),
    ],
)
def test_pain_duration_boundary(policy, lexicon, months, outcome):
    result = assess(with_(pain_duration_months=months), policy, lexicon)
    assert result.outcome == outcome
    if outcome == NEEDS_REVIEW:
        assert result.reasons == ["pain for less than 3 months"]


def test_stop_asking_after_age(policy):
    assert stop_asking_after_age(17, policy) is True
    assert stop_asking_after_age(18, policy) is False
    assert stop_asking_after_age(None, policy) is False


# --- conditions ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "condition", ["crps", "fibromyalgia", "neuropathic_pain", "migraine", "back_pain", "lupus", "cyclic_vomiting"]
)
def test_treated_conditions_qualify(policy, lexicon, condition):
    assert assess(with_(condition=condition), policy, lexicon).outcome == QUALIFIED


@pytest.mark.parametrize("condition", ["other", "endometriosis"])
def test_untreated_or_unrecognised_condition_goes_to_review(policy, lexicon, condition):
    result = assess(with_(condition=condition), policy, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert result.reasons == ["a condition our clinicians need to look at"]


# --- unsure answers --------------------------------------------------------------------------------
def test_unsure_answer_goes_to_review(policy, lexicon):
    result = assess(with_(seizure_history=False, unsure_answers=["seizure_history"]), policy, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert result.reasons == ["not being sure about a history of seizures"]


def test_unsure_about_an_excluding_criterion_is_review_not_exclusion(policy, lexicon):
    result = assess(with_(pregnant=False, unsure_answers=["pregnant"]), policy, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert result.reasons == ["not being sure about being pregnant, trying to conceive or breastfeeding"]


def test_unsure_list_ignores_non_criteria(policy, lexicon):
    assert assess(with_(unsure_answers=["age", "condition"]), policy, lexicon).outcome == QUALIFIED


def test_unsure_about_a_note_only_criterion_is_only_noted(policy, lexicon):
    # Being unsure must never weigh more than answering yes.
    noted = edited(policy, criteria__seizure_history="note")
    yes = assess(with_(seizure_history=True), noted, lexicon)
    unsure = assess(with_(seizure_history=False, unsure_answers=["seizure_history"]), noted, lexicon)
    assert yes.outcome == QUALIFIED
    assert unsure.outcome == QUALIFIED
    assert unsure.notes == ["not being sure about a history of seizures"]


# --- medications ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "generic, label",
    [
        ("alprazolam", "a benzodiazepine"),
        ("clonazepam", "a benzodiazepine"),
        ("lamotrigine", "an anti-seizure / mood-stabilizing medication"),
        ("phenelzine", "an MAOI antidepressant"),
        ("lisdexamfetamine", "a prescription stimulant"),
        ("naltrexone", "an opioid-blocking medication (naltrexone, including low-dose)"),
        ("theophylline", "a theophylline-type breathing medication"),
        ("aminophylline", "a theophylline-type breathing medication"),
        ("quetiapine", "an antipsychotic"),
    ],
)
def test_review_medication_classes(policy, lexicon, generic, label):
    result = assess(with_(medications=[generic]), policy, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert result.reasons == [f"taking {label} ({generic})"]
    assert [m.outcome for m in result.medications] == ["review"]


@pytest.mark.parametrize("generic", ["oxycodone", "hydrocodone", "buprenorphine", "tramadol", "fentanyl", "methadone"])
def test_opioids_are_a_note_only(policy, lexicon, generic):
    result = assess(with_(medications=[generic]), policy, lexicon)
    assert result.outcome == QUALIFIED
    assert result.reasons == []
    assert result.notes == [f"taking an opioid pain medication ({generic})"]
    finding = result.medications[0]
    assert (finding.name, finding.drug_class, finding.outcome) == (generic, "opioid", "note")
    assert finding.why == "an opioid pain medication: recorded for the clinician"


@pytest.mark.parametrize(
    "generic, drug_class",
    [
        ("sertraline", "ssri"),
        ("duloxetine", "snri"),
        ("amitriptyline", "tca"),
        ("gabapentin", "gabapentinoid"),
        ("ibuprofen", "nsaid"),
        ("cyclobenzaprine", "muscle_relaxant"),
        ("sumatriptan", "triptan"),
        ("lithium", "lithium"),
        ("st_johns_wort", "st_johns_wort"),
        ("memantine", "memantine"),
        ("acetaminophen", "other"),
    ],
)
def test_note_classes_qualify(policy, lexicon, generic, drug_class):
    result = assess(with_(medications=[generic]), policy, lexicon)
    assert result.outcome == QUALIFIED
    assert result.medications[0].drug_class == drug_class
    assert result.medications[0].outcome == "note"
    assert len(result.notes) == 1
    assert result.notes[0].startswith("taking ")
    assert "_" not in result.notes[0]


@pytest.mark.parametrize(
    "generic, drug_class",
    [
        ("amoxicillin", "antibiotic"),
        ("valsartan", "antihypertensive"),
        ("glipizide", "diabetes"),
        ("estradiol", "hormone"),
        ("cholecalciferol", "supplement"),
        ("magnesium", "supplement"),
        ("oxybutynin", "other"),
    ],
)
def test_everyday_classes_are_noted_not_reviewed(policy, lexicon, generic, drug_class):
    """Everyday drugs used to send visitors to review as unknown names; now they are recognised and noted."""
    result = assess(with_(medications=[generic]), policy, lexicon)
    assert result.outcome == QUALIFIED
    assert (result.medications[0].drug_class, result.medications[0].outcome) == (drug_class, "note")


@pytest.mark.parametrize("slot_value", ["heroin", "kratom", "methamphetamine", "street fentanyl", "weed"])
def test_illicit_substance_in_the_list_counts_as_substance_use(policy, lexicon, slot_value):
    result = assess(with_(medications=[slot_value]), policy, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert result.reasons == [YES_NO_REASONS["substance_use"]]
    finding = result.medications[0]
    assert (finding.drug_class, finding.outcome) == ("illicit", "review")
    assert finding.why.startswith("counted as substance use")


def test_illicit_substance_and_a_yes_to_substance_use_give_one_reason(policy, lexicon):
    result = assess(with_(medications=["heroin", "cocaine"], substance_use=True), policy, lexicon)
    assert result.reasons == [YES_NO_REASONS["substance_use"]]
    assert [f.drug_class for f in result.medications] == ["illicit", "illicit"]


def test_class_word_alone_counts_for_its_class(policy, lexicon):
    # "benzos" is stored as the class key; it is reviewed like any benzodiazepine.
    result = assess(with_(medications=["benzodiazepine"]), policy, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert result.reasons == ["taking a benzodiazepine"]
    assert result.medications[0].drug_class == "benzodiazepine"


def test_slang_typed_name_is_resolved(policy, lexicon):
    result = assess(with_(medications=["benzos"]), policy, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert result.medications[0].drug_class == "benzodiazepine"


def test_unknown_medication_is_kept_and_reviewed(policy, lexicon):
    result = assess(with_(medications=["zorblex"]), policy, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert result.reasons == ["a medication we need to check (zorblex)"]
    finding = result.medications[0]
    assert (finding.name, finding.drug_class, finding.class_label, finding.outcome) == ("zorblex", None, None, "review")
    assert finding.as_dict()["name"] == "zorblex"


def test_several_medications_each_get_a_finding(policy, lexicon):
    result = assess(with_(medications=["alprazolam", "oxycodone", "zorblex"]), policy, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert [m.name for m in result.medications] == ["alprazolam", "oxycodone", "zorblex"]
    assert [m.outcome for m in result.medications] == ["review", "note", "review"]
    assert result.reasons == ["taking a benzodiazepine (alprazolam)", "a medication we need to check (zorblex)"]
    assert result.notes == ["taking an opioid pain medication (oxycodone)"]


def test_exclusion_outranks_review_and_lists_both(policy, lexicon):
    result = assess(with_(pregnant=True, heart_condition=True, medications=["alprazolam"]), policy, lexicon)
    assert result.outcome == NOT_ELIGIBLE
    assert result.reasons[0] == "being pregnant, trying to conceive or breastfeeding"
    assert "a heart or blood pressure condition" in result.reasons
    assert "taking a benzodiazepine (alprazolam)" in result.reasons


# --- the policy file drives the outcome, not code ---------------------------------------------
def test_edited_policy_pregnant_review(policy, lexicon):
    assert assess(with_(pregnant=True), policy, lexicon).outcome == NOT_ELIGIBLE
    softer = edited(policy, criteria__pregnant="review")
    result = assess(with_(pregnant=True), softer, lexicon)
    assert result.outcome == NEEDS_REVIEW
    assert result.reasons == ["being pregnant, trying to conceive or breastfeeding"]


def test_edited_policy_from_file(tmp_path, policy, lexicon):
    policy_path = tmp_path / "clinic_policy.yml"
    data = policy_data()
    data["criteria"]["heart_condition"] = "exclude"
    data["minimum_age"] = 21
    data["minimum_pain_months"] = 6
    policy_path.write_text(yaml.safe_dump(data), encoding="utf-8")
    custom = load_policy(policy_path, known_classes=list(lexicon.classes))
    assert assess(with_(heart_condition=True), custom, lexicon).outcome == NOT_ELIGIBLE
    result = assess(with_(age=20), custom, lexicon)
    assert (result.outcome, result.reasons) == (NOT_ELIGIBLE, ["being under 21"])
    assert assess(with_(age=21), custom, lexicon).outcome == QUALIFIED
    result = assess(with_(pain_duration_months=5.9), custom, lexicon)
    assert (result.outcome, result.reasons) == (NEEDS_REVIEW, ["pain for less than 6 months"])


def test_edited_policy_medication_class(policy, lexicon):
    strict = edited(policy, medication_classes__opioid="exclude")
    result = assess(with_(medications=["oxycodone"]), strict, lexicon)
    assert result.outcome == NOT_ELIGIBLE
    assert result.reasons == ["taking an opioid pain medication (oxycodone)"]
    assert result.medications[0].why == "an opioid pain medication: the clinic does not treat people taking this"
    relaxed = edited(policy, medication_classes__benzodiazepine="note")
    assert assess(with_(medications=["alprazolam"]), relaxed, lexicon).outcome == QUALIFIED


def test_edited_policy_minors_review_and_keep_asking(policy, lexicon):
    softer = edited(policy, criteria__under_minimum_age="review")
    assert assess(with_(age=17), softer, lexicon).outcome == NEEDS_REVIEW
    assert stop_asking_after_age(17, softer) is False


def test_edited_policy_unrecognised_medication_note(policy, lexicon):
    lenient = edited(policy, criteria__unrecognised_medication="note")
    result = assess(with_(medications=["zorblex"]), lenient, lexicon)
    assert result.outcome == QUALIFIED
    assert result.notes == ["a medication we need to check (zorblex)"]


def test_edited_treated_list(policy, lexicon):
    data = policy_data()
    data["treated_conditions"] = ["crps"]
    narrow = parse_policy(data)
    assert assess(with_(condition="crps"), narrow, lexicon).outcome == QUALIFIED
    assert assess(with_(condition="migraine"), narrow, lexicon).outcome == NEEDS_REVIEW


def test_class_missing_from_policy_falls_back_to_review(policy, lexicon):
    data = policy_data()
    del data["medication_classes"]["benzodiazepine"]
    result = assess(with_(medications=["alprazolam"]), parse_policy(data), lexicon)
    assert result.outcome == NEEDS_REVIEW


# --- wording -----------------------------------------------------------------------------------------
ALL_FLAGS = with_(
    age=16,
    pain_duration_months=1,
    condition="other",
    unsure_answers=["liver_disease"],
    medications=["alprazolam", "oxycodone", "zorblex", "benzodiazepine"],
    **{slot: True for slot in YES_NO_REASONS if slot != "liver_disease"},
)


def test_reasons_are_plain_language(policy, lexicon):
    result = assess(ALL_FLAGS, policy, lexicon)
    assert result.outcome == NOT_ELIGIBLE
    assert len(result.reasons) == 14
    for reason in result.reasons + result.notes:
        assert "rejected" not in reason.lower()
        assert "_" not in reason, reason  # no slot or class keys
        assert not re.search(r"\b(?:dose|mg|stop taking|start taking|contraindicat)", reason, re.I), reason
        assert reason == reason.strip() and reason[:1].islower()


@pytest.mark.parametrize("answers", [CLEAN, with_(heart_condition=True), ALL_FLAGS])
def test_outcome_message_never_says_rejected(policy, lexicon, answers):
    text = outcome_message(assess(answers, policy, lexicon), policy.clinic)
    assert "reject" not in text.lower()
    assert not re.search(r"\bstop (?:taking|your)\b", text, re.I)
