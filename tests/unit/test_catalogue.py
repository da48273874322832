"""One catalogue of questions: domain.yml agrees with it, and a question added there reaches every place.

The proof: a made-up yes/no question (`bleeding_disorder`, criterion review) added to the catalogue at
test time, with no other code change, is asked by the form, read by its extract method, judged by
eligibility, and shown on the staff lead page, in the CSV export, the email summary and FHIR.
"""

from __future__ import annotations

import asyncio
import csv
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.forms import ValidateScreeningForm
from bot.leads import fhir, notify
from bot.leads.answers import NOT_ANSWERED, answer_rows
from bot.screening import catalogue, flow
from bot.screening.eligibility import NEEDS_REVIEW, QUALIFIED, assess
from bot.screening.lead_record import answers_from_slots
from bot.screening.lexicon import load_lexicon
from bot.screening.policy import PolicyError, parse_policy
from bot.web import staff

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
NEW = catalogue.yes_no("bleeding_disorder", "a bleeding disorder")


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


# --- domain.yml and the catalogue agree ------------------------------------------------------------------
@pytest.mark.parametrize("form", [catalogue.SCREENING_FORM, catalogue.CONTACT_FORM])
def test_every_form_slot_is_a_catalogue_question_in_asking_order(form):
    assert DOMAIN["forms"][form]["required_slots"] == [q.slot for q in catalogue.questions(form)]


@pytest.mark.parametrize("question", catalogue.QUESTIONS, ids=lambda q: q.slot)
def test_every_question_has_its_slot_prompt_and_why_in_the_domain(question):
    responses = DOMAIN["responses"]
    assert question.slot in DOMAIN["slots"]
    assert question.ask_with in responses or question.ask_with in DOMAIN["actions"], question.ask_with
    assert question.why_response in responses, question.why_response
    if question.kind == catalogue.YES_NO:
        for variant in responses[question.ask_with]:
            payloads = {b["payload"] for b in variant.get("buttons") or []}
            assert {"yes", "no", "not sure"} <= payloads, variant.get("text")


def test_every_policy_criterion_is_fed_by_a_question():
    raw = yaml.safe_load((ROOT / "clinic_policy.yml").read_text(encoding="utf-8"))
    assert set(raw["criteria"]) == set(catalogue.criterion_keys())


def test_catalogue_helpers():
    assert catalogue.by_slot("liver_disease").reason == "liver disease"
    assert catalogue.by_slot("liver_disease").staff_label == "Liver disease"
    assert catalogue.find("nope") is None and not catalogue.is_yes_no("age")
    with pytest.raises(KeyError):
        catalogue.by_slot("nope")
    assert len(catalogue.yes_no_questions()) == 8
    assert len({q.slot for q in catalogue.QUESTIONS}) == len(catalogue.QUESTIONS)


def test_one_wording_for_a_missing_answer_and_another_for_an_unclear_one():
    rows = {r.slot: r for r in answer_rows({"answers": {"unclear_answers": {"pregnant": "purple"}}})}
    assert rows["liver_disease"].shown == NOT_ANSWERED == "not answered" and not rows["liver_disease"].flag
    assert rows["pregnant"].shown == 'unclear (said: "purple")' and rows["pregnant"].flag
    assert notify.health_summary({"answers": {}})[0] == "Age: not answered"


# --- the proof: one new question, declared once -------------------------------------------------------
@pytest.fixture
def with_new_question(monkeypatch):
    """The catalogue with `bleeding_disorder` after the last health question, and a policy that reviews it."""
    raw = yaml.safe_load((ROOT / "clinic_policy.yml").read_text(encoding="utf-8"))  # a fresh, mutable copy
    questions = list(catalogue.QUESTIONS)
    questions.insert(questions.index(catalogue.by_slot("seizure_history")) + 1, NEW)
    monkeypatch.setattr(catalogue, "QUESTIONS", tuple(questions))
    with pytest.raises(PolicyError, match="criteria.bleeding_disorder"):
        parse_policy(raw)  # the policy file must say what a yes means
    raw["criteria"]["bleeding_disorder"] = "review"
    policy = parse_policy(raw)
    monkeypatch.setattr(context, "policy", lambda: policy)
    monkeypatch.setattr(context, "lexicon", load_lexicon)
    return policy


def answers(**changes):
    base = {
        "age": 45.0,
        "condition": "crps",
        "pain_duration_months": 24.0,
        "pain_severity": 7.0,
        "prior_treatments": "physical therapy",
        "medications": [],
        "medications_confirmed": True,
        **dict.fromkeys(catalogue.yes_no_slots(), False),
    }
    base.update(changes)
    return base


def lead_with(**changes):
    return {
        "id": "L-BLEEDING",
        "outcome": "needs_review",
        "reasons": ["a bleeding disorder"],
        "answers": answers_from_slots(answers(**changes)),
        "medications": [],
        "contact_consent": True,
        "full_name": "Sam Rivers",
        "created_at": None,
        "updated_at": None,
        "status": "new",
    }


def tracker(text, requested, **slots):
    message = {"text": text, "intent": {"name": "affirm", "confidence": 0.99}, "entities": []}
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text, "parse_data": message}]
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots, requested_slot=requested)
    return Tracker("conv-1", all_slots, message, events, False, None, {"name": "screening_form"}, "action_listen")


def test_the_form_asks_and_reads_the_new_question(with_new_question):
    assert flow.screening_required_slots({}, with_new_question)[-1] == "bleeding_disorder"
    form = ValidateScreeningForm()
    t = tracker("yes", "bleeding_disorder", **answers(bleeding_disorder=None))
    with ThreadPoolExecutor(1) as pool:  # a fresh thread: other test modules may leave an event loop running
        required = pool.submit(asyncio.run, form.required_slots([], CollectingDispatcher(), t, DOMAIN)).result()
        events = pool.submit(asyncio.run, form.run(CollectingDispatcher(), t, DOMAIN)).result()
    assert "bleeding_disorder" in required
    assert {e["name"]: e["value"] for e in events}["bleeding_disorder"] is True
    assert (
        form.extract_bleeding_disorder(CollectingDispatcher(), tracker("no", "bleeding_disorder"), DOMAIN)[
            "bleeding_disorder"
        ]
        is False
    )


def test_a_yes_sends_the_new_question_to_review_and_a_no_keeps_qualified(with_new_question, lexicon):
    yes = assess(answers(bleeding_disorder=True), with_new_question, lexicon)
    assert yes.outcome == NEEDS_REVIEW and yes.reasons == ["a bleeding disorder"]
    assert assess(answers(bleeding_disorder=False), with_new_question, lexicon).outcome == QUALIFIED
    missing = assess(answers(bleeding_disorder=None), with_new_question, lexicon)
    assert missing.reasons == ["an answer we still need about a bleeding disorder"]


def test_staff_see_the_new_question_on_the_lead_page_csv_email_and_fhir(with_new_question):
    lead = lead_with(bleeding_disorder=True)
    templates = Environment(
        loader=FileSystemLoader(ROOT / "bot" / "web" / "templates"), autoescape=select_autoescape(["html"])
    )
    templates.filters["when"] = staff.when
    page = templates.get_template("staff/lead.html").render(
        session=None,
        csrf="",
        statuses=[],
        lead=lead,
        view=staff.lead_view(lead),
        transcript={"turns": []},
        events=[],
        close_reason=None,
        close_reasons={},
        notifications=[],
        saved=False,
        error=None,
    )
    assert '<tr class="flagged"><td>A bleeding disorder</td><td>yes</td></tr>' in page

    text = io.StringIO()
    csv.writer(text).writerows([staff.csv_fields(), staff.csv_row(lead)])
    row = list(csv.DictReader(io.StringIO(text.getvalue())))[0]
    assert (
        row["bleeding_disorder"] == "yes"
        and row["liver_disease"] == "no"
        and row["pain_duration_months"] == "24 months"
    )

    assert "A bleeding disorder: yes" in notify.health_summary(lead)

    items = {i["linkId"]: i for i in fhir.build(lead)["item"]}
    assert items["bleeding_disorder"] == {
        "linkId": "bleeding_disorder",
        "text": "A bleeding disorder",
        "answer": [{"valueBoolean": True}],
    }
