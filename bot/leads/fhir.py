"""One lead's screening as a FHIR R4 (4.0.1) QuestionnaireResponse, so a clinic can import it.

Built as plain JSON and validated with fhir.resources 6.4.0 (the last line whose models are R4
4.0.1 and use pydantic 1, which Rasa pins). The visitor is a contained Patient (name, phone,
email) because a lead has no record in the clinic's EHR yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping

from fhir.resources.questionnaireresponse import QuestionnaireResponse

from bot.leads.answers import ANSWERED, UNCLEAR, UNSURE, AnswerRow, answer_rows
from bot.screening import catalogue

QUESTIONNAIRE = "urn:ketamine-screening:questionnaire:pain-screening|1"
LEAD_SYSTEM = "urn:ketamine-screening:lead-id"
OUTCOME_SYSTEM = "urn:ketamine-screening:outcome"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"


def _when(value: Any) -> str | None:
    if not value:
        return None
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return value.isoformat(timespec="seconds")
    return str(value)


def _item(link: str, text: str, answers: List[Dict[str, Any]]) -> Dict[str, Any]:
    item: Dict[str, Any] = {"linkId": link, "text": text}
    if answers:
        item["answer"] = answers
    return item


def _number(value: Any) -> List[Dict[str, Any]]:
    if value is None or isinstance(value, bool):
        return []
    try:
        number = float(value)
    except (TypeError, ValueError):
        return [{"valueString": str(value)}]
    return [{"valueInteger": int(number)}] if number.is_integer() else [{"valueDecimal": number}]


def _strings(values: Any) -> List[Dict[str, Any]]:
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    return [{"valueString": str(v)} for v in values if str(v).strip()]


def _text(question: catalogue.Question) -> str:
    """The item's text: the staff label, with a number's unit ("Pain for (months)")."""
    unit = question.unit.replace("{}", "").strip()
    unit = "0-" + unit[1:] if unit.startswith("/") else unit  # "{}/10": a score from 0 to 10
    return f"{question.staff_label} ({unit})" if unit else question.staff_label


def _answer(row: AnswerRow) -> List[Dict[str, Any]]:
    """A typed answer; unsure or unclear is "asked but unknown"; no answer at all is an item without one."""
    if row.state in (UNSURE, UNCLEAR):
        return [{"valueCoding": {"system": DATA_ABSENT, "code": "asked-unknown", "display": "Asked But Unknown"}}]
    if row.state != ANSWERED:
        return []
    if row.kind == catalogue.YES_NO:
        return [{"valueBoolean": bool(row.value)}]
    if row.kind == catalogue.NUMBER:
        return _number(row.value)
    return _strings(row.value)


def build(lead: Mapping[str, Any]) -> Dict[str, Any]:
    """The QuestionnaireResponse as a dict (validated; raises pydantic.ValidationError if not R4)."""
    answers = lead.get("answers") or {}
    items = []
    for row in answer_rows(lead):
        if row.kind == catalogue.MEDICATIONS:
            continue  # the medications group below, one item per medication with its class and flag
        question = catalogue.by_slot(row.slot)
        items.append(_item(row.slot, _text(question), _answer(row)))
        if row.slot == "condition":
            items.append(
                _item("condition_detail", "Condition in the visitor's words", _strings(answers.get("condition_detail")))
            )
    meds = []
    for i, med in enumerate(lead.get("medications") or [], start=1):
        meds.append(
            {
                "linkId": f"medications.{i}",
                "text": "Medication",
                "answer": [{"valueString": str(med.get("name") or "")}],
                "item": [
                    _item(
                        f"medications.{i}.class",
                        "Medication class",
                        _strings(med.get("class_label") or "not recognised"),
                    ),
                    _item(f"medications.{i}.flag", "Screening flag", _strings(med.get("outcome"))),
                    _item(f"medications.{i}.why", "Why it is flagged", _strings(med.get("why"))),
                ],
            }
        )
    if meds:
        items.append({"linkId": "medications", "text": "Current medications", "item": meds})
    outcome = lead.get("outcome")
    items.append(
        _item(
            "outcome",
            "Screening outcome",
            [{"valueCoding": {"system": OUTCOME_SYSTEM, "code": outcome, "display": outcome.replace("_", " ")}}]
            if outcome
            else [],
        )
    )
    items.append(_item("reasons", "Reasons", _strings(lead.get("reasons") or [])))
    items.append(_item("urgent", "Crisis language in the chat", [{"valueBoolean": bool(lead.get("urgent"))}]))
    items.append(
        _item("human_requested", "Asked to talk to a person", [{"valueBoolean": bool(lead.get("human_requested"))}])
    )
    items.append(
        _item("preferred_contact_time", "Preferred contact time", _strings(lead.get("preferred_contact_time")))
    )
    consent = [{"valueBoolean": bool(lead["contact_consent"])}] if lead.get("contact_consent") is not None else []
    items.append(_item("contact_consent", "Consent to be contacted", consent))
    if lead.get("contact_consent_at"):
        items.append(
            _item(
                "contact_consent_at", "Contact consent given at", [{"valueDateTime": _when(lead["contact_consent_at"])}]
            )
        )
    if lead.get("health_consent_at"):
        items.append(
            _item(
                "health_consent_at",
                "Consent to health questions given at",
                [{"valueDateTime": _when(lead["health_consent_at"])}],
            )
        )

    patient: Dict[str, Any] = {"resourceType": "Patient", "id": "visitor"}
    if lead.get("full_name"):
        patient["name"] = [{"text": str(lead["full_name"])}]
    telecom = [{"system": s, "value": str(lead[k])} for s, k in (("phone", "phone"), ("email", "email")) if lead.get(k)]
    if telecom:
        patient["telecom"] = telecom
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": str(lead["id"]).replace("L-", "lead-").lower(),
        "contained": [patient],
        "identifier": {"system": LEAD_SYSTEM, "value": lead["id"]},
        "questionnaire": QUESTIONNAIRE,
        "status": "completed" if outcome else "in-progress",
        "subject": {"reference": "#visitor"},
        "source": {"reference": "#visitor"},
        "authored": _when(lead.get("created_at")),
        "item": [i for i in items if "answer" in i or "item" in i],
    }
    QuestionnaireResponse.parse_obj(resource)  # R4 validation
    return resource
