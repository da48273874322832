"""Keeps a `stop` guess only when the message has a word that says stop.

`stop` ends the screening at once (data/rules/at_any_point.yml), so a guess made from character n-grams alone must
not: in load tests a name such as "Ada Zorvathalt" ("halt") was read as stop and the lead was lost.
Every way of saying stop has a word for it (bot.screening.parsing.says_stop); without one, the next intent the
classifier ranked takes its place and the open question reads the message as an answer.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.screening.parsing import says_stop
from components.intent_ranking import demote_intent

STOP_INTENT = "stop"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class StopGuard(GraphComponent):
    """Runs after the classifiers and the FallbackClassifier."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StopGuard:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not says_stop(message.get(TEXT) or ""):
                demote_intent(message, STOP_INTENT)
        return messages
