"""The real stack over HTTP: two whole conversations through Rasa's REST channel, then the stored leads."""

from __future__ import annotations

import uuid

import httpx
import pytest


def say(stack, sender: str, text: str) -> str:
    resp = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    resp.raise_for_status()
    return "\n".join(m.get("text") or "" for m in resp.json())


def slots(stack, sender: str) -> dict:
    resp = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token}, timeout=30)
    resp.raise_for_status()
    return resp.json()["slots"]


@pytest.mark.stack
def test_qualified_screening_ends_with_a_stored_lead(stack):
    sender = f"smoke-{uuid.uuid4().hex[:10]}"
    greeting = say(stack, sender, "hi")
    assert "medical advice" in greeting and "okay to ask" in greeting
    transcript = [say(stack, sender, "yes")]
    assert "how old are you" in transcript[-1]
    transcript.append(say(stack, sender, "I'm 45, I have CRPS and I take Xanax"))
    assert "How long have you had this pain" in transcript[-1]
    state = slots(stack, sender)
    assert state["age"] == 45.0 and state["condition"] == "crps" and state["medications"] == ["alprazolam"]
    for text in ["about 3 years", "7", "physical therapy and nerve blocks"]:
        transcript.append(say(stack, sender, text))
    assert "Xanax (alprazolam), a benzodiazepine" in transcript[-1]
    for text in ["yes"] + ["no"] * 8:
        transcript.append(say(stack, sender, text))
    assert "clinician will look at your answers" in transcript[-1]
    for text in ["Jane <b>Doe</b>", "jane.doe@example.com", "(303) 555-0142", "mornings", "yes"]:
        transcript.append(say(stack, sender, text))
    state = slots(stack, sender)
    assert state["lead_id"] and state["lead_id"] in transcript[-1]
    lead = stack.leads.get(state["lead_id"])
    assert lead["conversation_id"] == sender
    assert lead["outcome"] == "needs_review"
    assert lead["phone"] == "+13035550142" and lead["email"] == "jane.doe@example.com"
    assert lead["full_name"] == "Jane <b>Doe</b>"
    assert lead["contact_consent"] is True and lead["contact_consent_at"] is not None
    assert [m["drug_class"] for m in lead["medications"]] == ["benzodiazepine"]
    assert lead["answers"]["pain_duration_months"] == 36.0


@pytest.mark.stack
def test_under_age_visitor_gets_no_more_questions_and_no_contact_form(stack):
    sender = f"smoke-{uuid.uuid4().hex[:10]}"
    assert "okay to ask" in say(stack, sender, "am I a candidate for ketamine infusions?")
    say(stack, sender, "yes")
    reply = say(stack, sender, "I'm 16")
    assert "only treats adults" in reply
    state = slots(stack, sender)
    assert state["screening_outcome"] == "not_eligible"
    assert state["full_name"] is None and state["lead_id"]
    lead = stack.leads.get(state["lead_id"])
    assert lead["outcome"] == "not_eligible" and lead["phone"] is None


@pytest.mark.stack
def test_crisis_first_message_gets_988_and_911(stack):
    sender = f"smoke-{uuid.uuid4().hex[:10]}"
    reply = say(stack, sender, "i want to kill myself")
    assert "988" in reply and "911" in reply
    state = slots(stack, sender)
    assert state["crisis_flag"] is True
    assert stack.leads.get(state["lead_id"])["urgent"] is True


@pytest.mark.stack
def test_the_action_server_sees_which_layer_called_crisis(stack):
    """actions/forms.py crisis_source reads `crisis_detection` from the tracker's latest message: it must be there."""
    sender = f"smoke-{uuid.uuid4().hex[:10]}"
    say(stack, sender, "hi")
    say(stack, sender, "yes")
    say(stack, sender, "i keep thinking about killing myself")
    resp = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token}, timeout=30)
    detection = resp.json()["latest_message"]["crisis_detection"]
    assert detection["source"] == "patterns" and "text" not in detection


@pytest.mark.stack
def test_a_delete_request_mid_screening_is_confirmed_first_and_a_no_goes_back_to_the_question(stack):
    """A typed "yes" or "no" to "Delete it?" is never stored as the answer to the question that was open."""
    sender = f"smoke-{uuid.uuid4().hex[:10]}"
    for text in ["hi", "yes", "I'm 45, I have CRPS", "about 3 years", "7", "physical therapy", "none"]:
        reply = say(stack, sender, text)
    asked = slots(stack, sender)["requested_slot"]
    assert asked and asked not in ("medications", "prior_treatments"), asked  # a yes/no question is open
    assert "Delete it?" in say(stack, sender, "can you delete my data please")
    reply = say(stack, sender, "no")
    assert "nothing was deleted" in reply
    state = slots(stack, sender)
    assert state["requested_slot"] == asked and state[asked] is None, state  # the same question, still open
    assert "Delete it?" in say(stack, sender, "actually yes delete everything about me")
    assert "have been deleted" in say(stack, sender, "yes")
    state = slots(stack, sender)
    assert state[asked] is None and state["age"] is None
