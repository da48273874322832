"""One way for a guard component to overrule the classifier's top intent."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def demote_intent(message: Message, name: str) -> None:
    """When `name` is the top intent, the next intent the classifier ranked takes its place (no change when
    `name` is not on top or nothing else was ranked)."""
    top = message.get(INTENT) or {}
    others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    if top.get("name") == name and others:
        message.set(INTENT, dict(others[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, others, add_to_output=True)
