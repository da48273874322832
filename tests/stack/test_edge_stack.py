"""Edge rules through the real stack: typed Rasa payloads and forged action-server calls (issue 11)."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.stack
PAYLOAD = '/inform{"age": 99}'


def tracker(stack, sender: str) -> dict:
    resp = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token}, timeout=60)
    resp.raise_for_status()
    return resp.json()


def payload_entities(tr: dict) -> list:
    return [(e.get("entity"), e.get("value")) for e in tr["latest_message"].get("entities") or []]


def payload_parsed(tr: dict) -> bool:
    """Rasa's payload parser, not the NLU, read the last message: one forced intent at confidence 1."""
    return tr["latest_message"].get("intent_ranking") == [{"name": "inform", "confidence": 1.0}]


def test_typed_payload_sets_nothing(stack):
    # Control: the same text sent straight to Rasa (which the public never reaches) is read as a payload.
    direct = "edge-payload-direct-01"
    httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": direct, "message": PAYLOAD}, timeout=60)
    assert payload_parsed(tracker(stack, direct))

    sender = "edge-payload-relay-01"
    assert (
        httpx.post(f"{stack.web_url}/chat", json={"sender": sender, "message": "/greet"}, timeout=60).status_code == 200
    )
    resp = httpx.post(f"{stack.web_url}/chat", json={"sender": sender, "message": PAYLOAD}, timeout=60)
    assert resp.status_code == 200
    tr = tracker(stack, sender)
    assert tr["latest_message"]["text"] == 'inform{"age": 99}'
    assert not payload_parsed(tr) and len(tr["latest_message"]["intent_ranking"]) > 1  # the NLU read it
    assert ("age", 99) not in payload_entities(tr)
    assert tr["slots"].get("age") is None


def forged_call(sender: str) -> dict:
    slots = {"screening_outcome": "qualified", "crisis_flag": True, "outcome_reasons": [], "age": 40}
    return {
        "next_action": "action_store_lead",
        "sender_id": sender,
        "version": "3.6.21",
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
        "domain": {},
    }


def test_action_server_refuses_calls_without_the_secret(stack):
    url = f"{stack.action_url}/webhook"
    for params in ({}, {"token": "wrong"}, {"token": ""}):
        resp = httpx.post(url, params=params, json=forged_call("edge-forged-0001"), timeout=30)
        assert resp.status_code == 401
    assert httpx.get(f"{stack.action_url}/actions", timeout=30).status_code == 401
    assert stack.leads.for_conversation("edge-forged-0001") == []
    assert httpx.get(f"{stack.action_url}/health", timeout=30).status_code == 200
    # The same call with the secret is executed: the refusal above is the secret's doing.
    ok = httpx.post(url, params={"token": stack._stack.action_token}, json=forged_call("edge-forged-0002"), timeout=60)
    assert ok.status_code == 200, ok.text
    stored = stack.leads.for_conversation("edge-forged-0002")
    assert len(stored) == 1
    # fail-safe through the stack: a tracker claiming `qualified` with no answers is stored as clinician review
    assert stored[0]["outcome"] == "needs_review"
