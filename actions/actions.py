"""Custom actions: outcome, lead storage, handoff, crisis, FAQ and "why do you ask"."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions import context
from actions.forms import turn_of
from bot.screening import flow as screening, messages
from bot.screening.eligibility import assess, stop_asking_after_age
from bot.screening.lead_record import lead_record

logger = logging.getLogger(__name__)
FAQ_NEXT_STEPS = [
    {"title": "Check if it may fit me", "payload": "/check_eligibility"},
    {"title": "Talk to a person", "payload": "/request_human"},
]
YES_NO_BUTTONS = [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]


def _assessment(tracker: Tracker):
    return assess(tracker.slots, context.policy(), context.lexicon())


def _consent_time(tracker: Tracker, slot: str) -> Any:
    """When the visitor said yes to `slot` (the SlotSet event's timestamp)."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == slot and event.get("value") is True:
            return dt.datetime.fromtimestamp(event.get("timestamp") or 0, dt.timezone.utc)
    return None


class LeadWriteFailed(RuntimeError):
    """The lead store did not take the write (locked, down, full).

    Raised out of the action on purpose: the action server answers 500, Rasa's reliable channel
    does not save the turn, and the visitor is asked to send that message again. No answer is
    lost and the conversation does not move on as if the lead existed.
    """


async def store_lead(tracker: Tracker, **flags: Any) -> str:
    """`save_lead` in a worker thread, so a slow or locked database never stalls other visitors."""
    try:
        return await asyncio.to_thread(save_lead, tracker, **flags)
    except SQLAlchemyError as exc:
        # The conversation id and the error's kind only: never the lead's contents.
        raise LeadWriteFailed(
            f"lead write failed for conversation {tracker.sender_id} ({type(exc).__name__})"
        ) from None


def save_lead(tracker: Tracker, **flags: Any) -> str:
    """Write (or update) this conversation's lead from its slots (bot/screening/lead_record.py); raises on a failed write."""
    slots = tracker.slots
    lead = lead_record(
        slots,
        _assessment(tracker) if slots.get("screening_outcome") else None,
        context.policy(),
        tracker.sender_id,
        contact_consent_at=_consent_time(tracker, "contact_consent"),
        health_consent_at=_consent_time(tracker, "health_data_consent"),
        **flags,
    )
    return context.lead_store().save(lead)


class ActionScreeningOutcome(Action):
    def name(self) -> Text:
        return "action_screening_outcome"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[EventType]:
        result = _assessment(tracker)
        if not stop_asking_after_age(tracker.get_slot("age"), context.policy()):  # a minor was already told
            dispatcher.utter_message(text=messages.outcome_message(result, context.policy().clinic))
        return [SlotSet("screening_outcome", result.outcome), SlotSet("outcome_reasons", result.reasons)]


class ActionAskContactWanted(Action):
    def name(self) -> Text:
        return "action_ask_contact_wanted"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        again = tracker.get_slot("failed_slot") == "contact_wanted"
        dispatcher.utter_message(text=messages.contact_offer(again), buttons=YES_NO_BUTTONS)
        return []


class ActionAskMedicationsConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_medications_confirmed"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        values = tracker.get_slot("medications") or []
        typed = tracker.get_slot("medications_typed") or values
        dispatcher.utter_message(
            text=messages.read_back(
                typed, context.lexicon(), values, again=tracker.get_slot("failed_slot") == "medications_confirmed"
            ),
            buttons=[{"title": "Yes, that's right", "payload": "yes"}, {"title": "No, let me fix it", "payload": "no"}],
        )
        return []


class ActionStoreLead(Action):
    def name(self) -> Text:
        return "action_store_lead"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        clinic = context.policy().clinic
        lead_id = await store_lead(tracker)
        contact = tracker.get_slot("contact_consent") is True
        dispatcher.utter_message(
            text=messages.confirmation(lead_id, tracker.get_slot("screening_outcome"), contact, clinic)
        )
        return [SlotSet("lead_id", lead_id)]


class ActionHumanHandoff(Action):
    def name(self) -> Text:
        return "action_human_handoff"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        clinic = context.policy().clinic
        lead_id = await store_lead(tracker, human_requested=True)
        has_contact = bool(tracker.get_slot("phone") or tracker.get_slot("email"))
        dispatcher.utter_message(text=messages.handoff_message(clinic, has_contact))
        return [
            SlotSet("lead_id", lead_id),
            SlotSet("human_requested", True),
            ActiveLoop(None),
            SlotSet("requested_slot", None),
        ]


class ActionCrisisResponse(Action):
    """988 and 911 first, always; then flag the conversation's lead urgent."""

    def name(self) -> Text:
        return "action_crisis_response"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        if turn_of(tracker).crisis_check:
            return await self.check(dispatcher, tracker)
        dispatcher.utter_message(
            text=messages.CRISIS_TEXT,
            buttons=[{"title": "Talk to a person at the clinic", "payload": "/request_human"}],
        )
        events: List[EventType] = [SlotSet("crisis_flag", True), ActiveLoop(None), SlotSet("requested_slot", None)]
        try:
            lead_id = await store_lead(tracker, urgent=True)
            events.append(SlotSet("lead_id", lead_id))
        except LeadWriteFailed as exc:
            # 988 and 911 go out regardless; crisis_flag makes the next lead write urgent.
            logger.error("%s; the crisis answer was still given", exc)
        return events

    async def check(self, dispatcher, tracker) -> List[EventType]:
        """Crisis by the classifier alone: the same 988 and 911, a note on the lead, and the screening goes on.

        A misreading ("I'm asking for myself about my back pain") must not end a visitor's screening; a real
        crisis the patterns missed still gets the resources at once and a person one tap away."""
        form = tracker.active_loop.get("name")
        buttons = [{"title": "Talk to a person at the clinic", "payload": "/request_human"}]
        if not form:
            buttons.append({"title": "Check if treatment may fit me", "payload": "/check_eligibility"})
        dispatcher.utter_message(text=messages.CRISIS_CHECK_TEXT, buttons=buttons)
        events: List[EventType] = [SlotSet("crisis_possible", True)]
        tracker.add_slots([SlotSet("crisis_possible", True)])
        try:
            events.append(SlotSet("lead_id", await store_lead(tracker)))
        except LeadWriteFailed as exc:
            logger.error("%s; the crisis check was still shown", exc)
        return events + ([FollowupAction(form)] if form else [])


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        answer = context.policy().faq.get(intent.replace("faq_", "", 1))
        if not answer:
            dispatcher.utter_message(response="utter_default")
        elif tracker.active_loop.get("name") or tracker.get_slot("lead_id"):
            dispatcher.utter_message(text=answer)  # mid-form: the form asks its question again next
        else:
            dispatcher.utter_message(text=answer, buttons=FAQ_NEXT_STEPS)
        return []


class ActionExplainQuestion(Action):
    def name(self) -> Text:
        return "action_explain_question"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        slot = tracker.get_slot("requested_slot")
        response = f"utter_why_{slot}"
        if slot and response in (domain.get("responses") or {}):
            dispatcher.utter_message(response=response)
        else:
            dispatcher.utter_message(response="utter_why_default")
        return []


class ActionConsentDeclined(Action):
    def name(self) -> Text:
        return "action_consent_declined"

    def run(self, dispatcher, tracker, domain) -> List[EventType]:
        dispatcher.utter_message(
            text=messages.consent_declined(context.policy().clinic),
            buttons=[
                {"title": "What is ketamine therapy?", "payload": "/faq_what_is"},
                {"title": "How much does it cost?", "payload": "/faq_cost"},
                {"title": "Talk to a person", "payload": "/request_human"},
            ],
        )
        return []


class ActionEraseCancelled(Action):
    """The visitor kept their data: say so, and go back to the form they were in, at the question left open."""

    def name(self) -> Text:
        return "action_erase_cancelled"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        dispatcher.utter_message(response="utter_erase_cancelled")
        form = screening.interrupted_form(tracker.events)
        return [FollowupAction(form)] if form else []


class ActionEraseMyData(Action):
    """Forget-me from the visitor: erase their lead and outbox rows now, their conversation after this turn."""

    def name(self) -> Text:
        return "action_erase_my_data"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        from rasa_sdk.events import AllSlotsReset

        from bot.leads import erase

        settings = context.settings()
        try:
            # wait=False: this turn holds the conversation lock; Rasa erases the tracker once it is saved.
            done = await asyncio.to_thread(
                erase.erase,
                context.lead_store().engine,
                settings.rasa_url,
                settings.rasa_token,
                "visitor",
                conversation_id=tracker.sender_id,
                wait=False,
            )
        except SQLAlchemyError as exc:
            logger.error("erase for conversation %s failed: %s", tracker.sender_id, type(exc).__name__)
            dispatcher.utter_message(response="utter_erase_failed")
            return []
        assert done is not None  # None only for an unknown lead id; by conversation it is always a result
        if done.tracker.startswith("failed"):
            logger.error("erase for conversation %s: tracker %s", tracker.sender_id, done.tracker)
            dispatcher.utter_message(response="utter_erase_failed")
            return [AllSlotsReset(), ActiveLoop(None)]
        dispatcher.utter_message(response="utter_erase_done")
        return [AllSlotsReset(), ActiveLoop(None)]
