"""Form validation actions: each extract_/validate_ method hands the turn to bot.screening.flow."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import context
from bot.screening import catalogue, flow as screening, messages
from bot.screening.eligibility import stop_asking_after_age
from bot.screening.flow import Turn

# Most slots are checked while they are extracted, so the SDK's "no validation method" warning on every
# turn is noise in the action server's log.
logging.getLogger("rasa_sdk.forms").setLevel(logging.ERROR)


def turn_of(tracker: Tracker) -> Turn:
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    return Turn(
        text=message.get("text") or "",
        intent=intent.get("name"),
        entities=message.get("entities") or [],
        requested=tracker.get_slot("requested_slot"),
        confidence=float(intent.get("confidence") or 0.0),
        crisis_source=crisis_source(tracker),
    )


def crisis_source(tracker: Tracker) -> Optional[str]:
    """Which layer called the last message crisis ("patterns" or "classifier"); None if not said."""
    return ((tracker.latest_message or {}).get("crisis_detection") or {}).get("source")


def answered_by_a_rule(tracker: Tracker, form: str) -> bool:
    """Did another action (a FAQ answer, "why do you ask") answer the visitor's last message before this form ran?"""
    own = {"action_listen", form, f"validate_{form}", None}
    if turn_of(tracker).crisis_check:
        own.add("action_crisis_response")  # 988/911 were shown, and the message may still be the answer
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in own:
            return True
    return False


class ScreeningFormBase(FormValidationAction, ABC):
    """Shared behaviour: never stuck, and no lost messages.

    Rasa rejects a form turn that fills no slot so that FAQ/why/crisis rules can answer. Any other
    message that answers nothing, and the return to the form after such an interruption, count as an
    unanswered turn for the open question (bot.screening.flow.unanswered): asked again in other words once,
    then kept for the clinician and skipped.
    """

    @abstractmethod
    def name(self) -> Text:
        """Abstract, so the SDK does not register the base class as an action."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """As the SDK's run, but keeps companion slots an extract method sets (e.g. condition_detail)."""
        extraction_events = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction_events)
        validation_events = await self._extract_validation_events(dispatcher, tracker, domain)
        validated = {e.get("name") for e in validation_events}
        extras = [e for e in extraction_events if e.get("name") not in validated]
        return extras + validation_events

    def corrections(self, turn: Turn, tracker: Tracker, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        """Answers this form does not ask but the visitor corrects (the contact form overrides it)."""
        return {}

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        turn = turn_of(tracker)
        requested = turn.requested
        extracted = {e.get("name"): e.get("value") for e in events if e.get("name") != "requested_slot"}
        extracted.update(self.corrections(turn, tracker, dispatcher))
        events = [SlotSet(k, v) for k, v in extracted.items()]
        if not requested or tracker.active_loop.get("name") not in (None, self.form_name()):
            return events
        if answered_by_a_rule(tracker, self.form_name()):
            # Back in the form after an interruption rule answered: the question stays unanswered.
            updates = screening.unanswered(requested, turn.text, tracker.slots)
            return events + [SlotSet(k, v) for k, v in updates.items()]
        if extracted.get(requested) is not None or requested in (extracted.get("unclear_answers") or {}):
            return events + [SlotSet(k, v) for k, v in screening.answered(tracker.slots, requested).items()]
        if not extracted and (not turn.free_text_allowed or turn.intent in ("why_ask",)):
            return events  # let the interruption rules answer
        slots = dict(tracker.slots, **extracted)
        if stop_asking_after_age(slots.get("age"), context.policy()):
            return events  # a minor: nothing more is asked
        updates = screening.unanswered(requested, turn.text, slots)
        return events + [SlotSet(k, v) for k, v in updates.items()]


class ValidateScreeningForm(ScreeningFormBase):
    def name(self) -> Text:
        return "validate_screening_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        return screening.screening_required_slots(tracker.slots, context.policy())

    # --- extract ---------------------------------------------------------------------------
    def extract_age(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        age = screening.extract_age(turn_of(tracker), tracker.get_slot("age"))
        return {"age": age} if age is not None else {}

    def extract_condition(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        return screening.extract_condition(turn_of(tracker), tracker.get_slot("condition"), context.lexicon())

    def extract_pain_duration_months(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        months = screening.extract_pain_duration(
            turn_of(tracker), tracker.get_slot("pain_duration_months"), tracker.get_slot("age")
        )
        return {"pain_duration_months": months} if months is not None else {}

    def extract_pain_severity(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        severity = screening.extract_pain_severity(turn_of(tracker))
        return {"pain_severity": severity} if severity is not None else {}

    def extract_prior_treatments(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        text = screening.extract_prior_treatments(turn_of(tracker))
        return {"prior_treatments": text} if text else {}

    def extract_medications(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        return screening.extract_medications(
            turn_of(tracker), tracker.get_slot("medications"), tracker.get_slot("medications_typed"), context.lexicon()
        )

    def extract_medications_confirmed(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        result = screening.extract_medications_confirmed(turn_of(tracker))
        if "medications" in result:
            dispatcher.utter_message(response="utter_medications_fix")
        return result

    def _yes_no(self, slot: str, tracker: Tracker) -> Dict[Text, Any]:
        return screening.extract_yes_no(
            turn_of(tracker),
            slot,
            tracker.get_slot("unsure_answers"),
            tracker.get_slot(slot),
            tracker.get_slot("answer_notes"),
        )

    def __getattr__(self, name: str) -> Any:
        """`extract_<slot>` for every yes/no question in the catalogue (the SDK finds it by getattr)."""
        slot = name[len("extract_") :] if name.startswith("extract_") else None
        if slot and catalogue.is_yes_no(slot):
            return lambda dispatcher, tracker, domain: self._yes_no(slot, tracker)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # --- validate --------------------------------------------------------------------------
    def validate_age(self, value: Any, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        if value is None or not 0 < float(value) < 120:
            return {"age": None}
        if stop_asking_after_age(float(value), context.policy()):
            dispatcher.utter_message(text=messages.minor_message(context.policy().clinic))
            return {"age": float(value), **screening.answered(tracker.slots)}
        return {"age": float(value)}

    def validate_pain_severity(self, value: Any, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        if value is None or not 0 <= float(value) <= 10:
            return {"pain_severity": None}
        return {"pain_severity": float(value)}


class ValidateConsentForm(ScreeningFormBase):
    """The consent question, never stuck: asked once more in other words, then read as "no" (no health
    questions without a clear yes); the visitor gets general information and the clinic's contact details."""

    def name(self) -> Text:
        return "validate_consent_form"

    def extract_health_data_consent(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        value = screening.extract_consent(turn_of(tracker))
        return {"health_data_consent": value} if value is not None else {}

    async def get_extraction_events(self, dispatcher, tracker, domain) -> List[EventType]:
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        if any(e.get("name") == "unclear_answers" for e in events):
            events = [e for e in events if e.get("name") not in ("unclear_answers", "health_data_consent")]
            events.append(SlotSet("health_data_consent", False))
        return events


class ValidateContactForm(ScreeningFormBase):
    def name(self) -> Text:
        return "validate_contact_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        return screening.contact_required_slots(tracker.slots, context.policy())

    def corrections(self, turn: Turn, tracker: Tracker, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        """A screening answer corrected while contact details are asked: re-evaluated; a minor is told kindly."""
        changes = screening.correction_events(turn, tracker.slots, context.policy(), context.lexicon())
        was_minor = stop_asking_after_age(tracker.get_slot("age"), context.policy())
        if changes and not was_minor and stop_asking_after_age(changes.get("age"), context.policy()):
            dispatcher.utter_message(text=messages.minor_message(context.policy().clinic))
        return changes

    def extract_contact_wanted(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        value = screening.extract_contact_wanted(turn_of(tracker))
        return {"contact_wanted": value} if value is not None else {}

    def extract_full_name(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        name = screening.extract_full_name(turn_of(tracker))
        return {"full_name": name} if name else {}

    def extract_email(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        result = screening.extract_email(turn_of(tracker))
        result.pop("_invalid", None)  # asked again in other words by the base class, then skipped
        return {k: v for k, v in result.items() if v is not None}

    def extract_phone(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        result = screening.extract_phone(turn_of(tracker))
        result.pop("_invalid", None)
        return {k: v for k, v in result.items() if v is not None}

    def extract_preferred_contact_time(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        value = screening.extract_preferred_contact_time(turn_of(tracker))
        return {"preferred_contact_time": value} if value else {}

    def extract_contact_consent(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        value = screening.extract_contact_consent(turn_of(tracker))
        return {"contact_consent": value} if value is not None else {}
