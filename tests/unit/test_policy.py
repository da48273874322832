"""The clinic policy file: the default loads as the criteria table says; a malformed file names its bad key."""

from __future__ import annotations

import copy

import pytest
import yaml

from bot.screening.catalogue import criterion_keys
from bot.screening.lexicon import load_lexicon
from bot.screening.policy import DEFAULT_PATH, FAQ_TOPICS, PolicyError, load_policy, parse_policy

CRITERIA = criterion_keys()


@pytest.fixture(scope="module")
def classes():
    return list(load_lexicon().classes)


@pytest.fixture()
def raw():
    """A fresh, mutable copy of the default policy file."""
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_default_file_loads(classes):
    policy = load_policy(known_classes=classes)
    assert policy.clinic.name == "Bloom Ketamine Pain Clinic"
    assert policy.clinic.phone == "(555) 010-0123"
    assert policy.clinic.callback_window == "within one business day"
    assert policy.minimum_age == 18.0
    assert policy.minimum_pain_months == 3.0
    assert policy.include_health_summary is False
    assert set(policy.faq) == set(FAQ_TOPICS)
    assert "\n" not in policy.faq["what_is"]


def test_default_criteria_match_the_clinical_table(classes):
    policy = load_policy(known_classes=classes)
    assert policy.criteria == {
        "under_minimum_age": "exclude",
        "pregnant": "exclude",
        "psychosis_history": "exclude",
        "ketamine_reaction": "exclude",
        "heart_condition": "review",
        "liver_disease": "review",
        "pressure_condition": "review",
        "substance_use": "review",
        "seizure_history": "review",
        "short_pain_duration": "review",
        "untreated_condition": "review",
        "unrecognised_medication": "review",
    }


def test_default_medication_classes_match_the_clinical_table(classes):
    policy = load_policy(known_classes=classes)
    # illicit: street drugs and kratom named as medications count as substance use (clinician review)
    review = {
        "benzodiazepine",
        "lamotrigine",
        "maoi",
        "stimulant",
        "naltrexone",
        "theophylline",
        "antipsychotic",
        "illicit",
    }
    for cls, outcome in policy.medication_classes.items():
        assert outcome == ("review" if cls in review else "note"), cls
    assert policy.medication_classes["opioid"] == "note"
    # every lexicon class has a policy line and vice versa
    assert set(policy.medication_classes) == set(classes)


def test_default_treated_conditions(classes):
    policy = load_policy(known_classes=classes)
    assert policy.treated_conditions == [
        "crps",
        "fibromyalgia",
        "neuropathic_pain",
        "migraine",
        "trigeminal_neuralgia",
        "phantom_limb_pain",
        "back_pain",
        "cancer_pain",
        "rheumatoid_arthritis",
        "chronic_pancreatitis",
        "spinal_cord_injury_pain",
        "lupus",
        "lyme_disease",
        "gastroparesis",
        "cyclic_vomiting",
    ]
    assert "other" not in policy.treated_conditions


def test_load_policy_from_a_path(tmp_path, raw, classes):
    raw["minimum_age"] = 21
    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert load_policy(path, known_classes=classes).minimum_age == 21.0
    assert load_policy(str(path)).minimum_age == 21.0


def _error(data, classes=None) -> str:
    with pytest.raises(PolicyError) as info:
        parse_policy(data, classes)
    return str(info.value)


# --- missing keys -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "section, key, named",
    [
        (None, "clinic", "'clinic'"),
        (None, "treated_conditions", "'treated_conditions'"),
        (None, "criteria", "'criteria'"),
        (None, "medication_classes", "'medication_classes'"),
        (None, "minimum_age", "'minimum_age'"),
        (None, "minimum_pain_months", "'minimum_pain_months'"),
        (None, "faq", "'faq'"),
        ("clinic", "phone", "'clinic.phone'"),
        ("clinic", "name", "'clinic.name'"),
        ("criteria", "pregnant", "'criteria.pregnant'"),
        ("criteria", "unrecognised_medication", "'criteria.unrecognised_medication'"),
        ("faq", "cost", "'faq.cost'"),
    ],
)
def test_missing_key_is_named(raw, section, key, named):
    del (raw[section] if section else raw)[key]
    message = _error(raw)
    assert named in message
    assert "missing" in message


@pytest.mark.parametrize("criterion", CRITERIA)
def test_every_criterion_is_required(raw, criterion):
    del raw["criteria"][criterion]
    assert f"'criteria.{criterion}'" in _error(raw)


# --- bad values -----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["reject", "Exclude", "", None, True, 1, "review "])
def test_bad_criterion_outcome(raw, value):
    raw["criteria"]["pregnant"] = value
    message = _error(raw)
    assert "'criteria.pregnant'" in message
    assert "exclude, review, note" in message


@pytest.mark.parametrize("value", ["block", None, "Review"])
def test_bad_medication_class_outcome(raw, classes, value):
    raw["medication_classes"]["opioid"] = value
    assert "'medication_classes.opioid'" in _error(raw, classes)


@pytest.mark.parametrize(
    "key, value",
    [
        ("minimum_age", "18"),
        ("minimum_age", -1),
        ("minimum_age", True),
        ("minimum_pain_months", None),
        ("minimum_pain_months", "three"),
    ],
)
def test_bad_numbers(raw, key, value):
    raw[key] = value
    assert f"'{key}'" in _error(raw)


def test_bad_notification_flag(raw):
    raw["notifications"]["include_health_summary"] = "yes"
    assert "'notifications.include_health_summary'" in _error(raw)


def test_notification_channels_default_to_both_and_reject_unknown_names(raw, classes):
    assert parse_policy(raw, classes).notification_channels == ("email", "webhook")
    raw["notifications"]["channels"] = ["webhook"]
    assert parse_policy(raw, classes).notification_channels == ("webhook",)
    raw["notifications"]["channels"] = ["sms"]
    assert "'notifications.channels'" in _error(raw)


def test_empty_clinic_field(raw):
    raw["clinic"]["email"] = "   "
    assert "'clinic.email'" in _error(raw)


def test_empty_faq_answer(raw):
    raw["faq"]["side_effects"] = ""
    assert "'faq.side_effects'" in _error(raw)


# --- unknown names --------------------------------------------------------------------------------
def test_unknown_criterion(raw):
    raw["criteria"]["diabetes"] = "review"
    assert "'criteria.diabetes'" in _error(raw)


def test_misspelled_criterion(raw):
    raw["criteria"]["pregnancy"] = raw["criteria"].pop("pregnant")
    message = _error(raw)
    assert "'criteria.pregnancy'" in message


def test_unknown_condition(raw):
    raw["treated_conditions"].append("endometriosis")
    message = _error(raw)
    assert "'treated_conditions[15]'" in message
    assert "'endometriosis'" in message


def test_misspelled_condition(raw):
    raw["treated_conditions"][0] = "CRPS"
    assert "'treated_conditions[0]'" in _error(raw)


def test_unknown_medication_class(raw, classes):
    raw["medication_classes"]["benzodiazepines"] = "review"
    assert "'medication_classes.benzodiazepines'" in _error(raw, classes)


def test_unknown_medication_class_is_accepted_without_a_class_list(raw):
    raw["medication_classes"]["benzodiazepines"] = "review"
    assert parse_policy(raw).medication_classes["benzodiazepines"] == "review"


def test_unknown_faq_topic(raw):
    raw["faq"]["parking"] = "Free parking behind the building."
    assert "'faq.parking'" in _error(raw)


# --- wrong shapes -------------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [None, [], ["clinic"], "clinic: x", 42])
def test_top_level_not_a_mapping(data):
    assert "mapping" in _error(data)


@pytest.mark.parametrize(
    "key, value, named",
    [
        ("criteria", ["pregnant", "exclude"], "'criteria'"),
        ("criteria", "exclude", "'criteria'"),
        ("medication_classes", ["opioid"], "'medication_classes'"),
        ("faq", "see website", "'faq'"),
        ("notifications", ["include_health_summary"], "'notifications'"),
        ("treated_conditions", "crps", "'treated_conditions'"),
        ("treated_conditions", [], "'treated_conditions'"),
        ("clinic", "Bloom Ketamine Pain Clinic", "'clinic'"),
        ("clinic", None, "'clinic'"),
    ],
)
def test_section_of_the_wrong_shape(raw, key, value, named):
    raw[key] = value
    message = _error(raw)
    assert named in message


def test_clinic_as_a_string_says_it_must_be_a_mapping(raw):
    raw["clinic"] = "Bloom Ketamine Pain Clinic"
    assert "'clinic' must be a mapping" in _error(raw)


def test_missing_file(tmp_path):
    with pytest.raises(PolicyError, match="file not found"):
        load_policy(tmp_path / "nope.yml")


def test_invalid_yaml(tmp_path):
    path = tmp_path / "policy.yml"
    path.write_text("criteria:\n  pregnant: exclude\n   heart_condition: [review\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(path)


def test_empty_file(tmp_path):
    path = tmp_path / "policy.yml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(PolicyError, match="mapping"):
        load_policy(path)


def test_policy_error_is_a_value_error():
    assert issubclass(PolicyError, ValueError)


def test_parse_does_not_need_a_deep_copy(raw):
    before = copy.deepcopy(raw)
    parse_policy(raw)
    assert raw == before
