"""Decides, last in the pipeline, whether a message is crisis language; a crisis overrides every other intent.

Two layers, either is enough: the deterministic patterns of bot/screening/crisis.py, OR the classifier giving
`crisis` a confidence at or above a low bar (`crisis_confidence` in config.yml, chosen by measurement:
docs/crisis.md). The bar is far below the FallbackClassifier's because a missed crisis costs far more
than one kind message with 988 and 911. A hard idiom guard (bot.screening.crisis.is_everyday_idiom: "this pain
is killing me", "cut back on my meds") overrules the classifier, never the patterns.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.screening.crisis import crisis_categories, is_everyday_idiom
from components.intent_ranking import demote_intent

CRISIS_INTENT = "crisis"
# what the parse result carries about the decision (numbers and category names only, never the text)
DETECTION_KEY = "crisis_detection"


def crisis_confidence(message: Message) -> float:
    """The classifier's confidence for `crisis` (0.0 when it is not in the ranking)."""
    for entry in message.get(INTENT_RANKING_KEY) or []:
        if entry.get("name") == CRISIS_INTENT:
            return float(entry.get("confidence") or 0.0)
    intent = message.get(INTENT) or {}
    return float(intent.get("confidence") or 0.0) if intent.get("name") == CRISIS_INTENT else 0.0


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisDetector(GraphComponent):
    """Runs after the classifiers (and FallbackClassifier) so its verdict is final."""

    # The bars are set in config.yml only (one place, chosen by measurement: docs/crisis.md).
    SETTINGS = ("crisis_confidence", "short_message_words", "short_message_confidence")

    def __init__(self, config: Dict[Text, Any]) -> None:
        missing = [key for key in self.SETTINGS if key not in config]
        if missing:
            raise ValueError(f"CrisisDetector needs {', '.join(missing)} in config.yml")
        self.bar = float(config["crisis_confidence"])
        self.short_words = int(config["short_message_words"])
        self.short_bar = float(config["short_message_confidence"])

    def bar_for(self, text: Text) -> float:
        """A few words ("I'm a guy", "all good") carry too little for the classifier's low bar to mean much:
        they need the higher bar. Short crisis messages ("kms", "i wanna die") are the patterns' job."""
        return self.short_bar if len(text.split()) <= self.short_words else self.bar

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisDetector:
        return cls(config)

    def decide(self, text: Text, confidence: float) -> Dict[Text, Any]:
        """The decision and its parts, for the parse result and for scripts/crisis_eval.py."""
        patterns = crisis_categories(text)
        idiom = not patterns and is_everyday_idiom(text, patterns_checked=True)
        bar = self.bar_for(text)
        learned = confidence >= bar and not idiom
        return {
            "crisis": bool(patterns) or learned,
            # "patterns": sure, the screening stops for 988/911; "classifier": 988/911 shown, the question stays open
            "source": "patterns" if patterns else ("classifier" if learned else None),
            "patterns": patterns,
            "classifier_confidence": round(confidence, 4),
            "idiom_guard": idiom,
            "bar": self.bar,
            "short_message": bar != self.bar,
            "applied_bar": bar,
        }

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            decision = self.decide(message.get(TEXT) or "", crisis_confidence(message))
            message.set(DETECTION_KEY, decision, add_to_output=True)
            if decision["crisis"]:
                others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != CRISIS_INTENT]
                intent = {"name": CRISIS_INTENT, "confidence": 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent] + others, add_to_output=True)
            else:
                # the classifier's crisis guess was an idiom: the next intent it ranked takes its place
                demote_intent(message, CRISIS_INTENT)
        return messages
