"""Rasa's REST channel, made reliable: a turn is all-or-nothing, retries are idempotent, text never logged.

Loaded by Rasa from credentials.yml (`rasa_plugins.channel.ReliableRestInput`); same URL and JSON
as Rasa's own REST channel (`POST /webhooks/rest/webhook`, `{"sender", "message"}`), plus:

- `message_id` (optional): the widget's id for the message, stored on the `user` event. A message
  whose id the tracker already holds (a resend, or a first attempt that arrived after its resend)
  returns the replies that followed it instead of being processed again, so an answer that was
  stored before a crash is never applied to the next question. (`retry` is accepted and ignored.)
- A failed action-server call aborts the turn. Rasa's default is to log the error and carry on
  without the action's events, which loses the answer silently and shifts later answers onto the
  wrong questions. Here the tracker is not saved, the reply is HTTP 503 `turn_failed`, and the
  visitor is asked to send the message again (the web relay words it).
- The turn runs to the end even if the caller hangs up (a relay timeout), so the stored tracker
  and the action server's side effects (the lead) never disagree.
- Rasa's REST channel logs the visitor's text when a turn fails or is cancelled; this one logs
  the conversation id and the kind of failure only.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import Settings

logger = logging.getLogger(__name__)
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_TEXT_CHARS = 2000  # the relay's own cap; a direct caller gets the same


class TurnAborted(BaseException):
    """An action-server call failed: the turn must not be saved.

    A BaseException on purpose: Rasa's processor catches every `Exception` an action raises and
    continues without its events; this one has to pass through to the channel unchanged.
    """


def _install_abort_on_action_failure() -> None:
    """Make a failed custom-action call abort the turn instead of being swallowed (idempotent)."""
    if getattr(RemoteAction.run, "_aborts_turn", False):
        return
    original = RemoteAction.run

    async def run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
        try:
            return await original(self, *args, **kwargs)
        except ActionExecutionRejection:
            raise  # a form rejecting a message is normal control flow
        except (RasaException, asyncio.TimeoutError, OSError) as exc:
            raise TurnAborted(f"action {self.name()} failed: {type(exc).__name__}") from exc

    run._aborts_turn = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[assignment]


_install_abort_on_action_failure()


def replies_after(events: List[Any], sender_id: Text, message_id: Text) -> Optional[List[Dict[Text, Any]]]:
    """The bot messages that answered the user message `message_id`, or None if it was never stored."""
    found = False
    replies: List[Dict[Text, Any]] = []
    for event in events:
        if isinstance(event, UserUttered):
            if found:
                break
            found = event.message_id == message_id
        elif found and isinstance(event, BotUttered):
            message: Dict[Text, Any] = {"recipient_id": sender_id}
            if event.text:
                message["text"] = event.text
            for key in ("buttons", "image", "attachment", "custom"):
                if (event.data or {}).get(key):
                    message[key] = event.data[key]
            replies.append(message)
    return replies if found else None


ERASE_WAIT_S = 30.0
_ERASING: set = set()  # running erase tasks (a reference keeps them from being garbage-collected)


def authorized(request: Request, expected: str) -> bool:
    """The expected token (RASA_AUTH_TOKEN) as `Authorization: Bearer` or `?token=`, compared in constant time."""
    header = request.headers.get("authorization") or ""
    given = header[7:].strip() if header.lower().startswith("bearer ") else (request.args.get("token") or "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _innermost(store: Any) -> Any:
    """The real tracker store under Rasa's fail-safe and awaitable wrappers."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


async def erase_tracker(agent: Any, sender_id: Text) -> None:
    """Delete every stored event of one conversation, holding its lock so no turn writes meanwhile."""
    async with agent.lock_store.lock(sender_id, wait_time_in_seconds=0.1):
        store = _innermost(agent.tracker_store)
        if asyncio.iscoroutinefunction(getattr(store, "delete", None)):
            await store.delete(sender_id)
        elif isinstance(store, SQLTrackerStore):
            await asyncio.to_thread(_delete_sql_events, store, sender_id)
        elif isinstance(getattr(store, "store", None), dict):  # InMemoryTrackerStore
            store.store.pop(sender_id, None)
        else:
            raise RuntimeError(f"cannot erase from {type(store).__name__}")
    logger.info("conversation %s: tracker erased", sender_id)


def expired_conversations(store: Any, before: float) -> List[Text]:
    """Conversations whose latest event is older than `before` (a UNIX time)."""
    if isinstance(store, SQLTrackerStore):
        from sqlalchemy import text as sql

        with store.engine.connect() as conn:
            return list(
                conn.execute(
                    sql("SELECT sender_id FROM events GROUP BY sender_id HAVING max(timestamp) < :b"), {"b": before}
                ).scalars()
            )
    if isinstance(getattr(store, "store", None), dict):  # InMemoryTrackerStore keeps serialised trackers
        return []
    raise RuntimeError(f"cannot list conversations of {type(store).__name__}")


def _delete_sql_events(store: Any, sender_id: Text) -> None:
    """SQLTrackerStore's events table; on SQLite freed pages are zeroed and the WAL emptied."""
    from sqlalchemy import text as sql

    sqlite = store.engine.dialect.name == "sqlite"
    with store.engine.begin() as conn:
        if sqlite:
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
        conn.execute(sql("DELETE FROM events WHERE sender_id = :sid"), {"sid": sender_id})
    if sqlite:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


class ReliableRestInput(InputChannel):
    """Drop-in replacement for Rasa's `rest` channel (see the module docstring)."""

    def __init__(self) -> None:
        # Rasa builds the channel from credentials.yml, not through an entry point of ours: read the settings here, once.
        self.token = Settings.from_env().rasa_token

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("reliable_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender_id = body.get("sender")
            text = body.get("message")
            message_id = body.get("message_id")
            if not isinstance(sender_id, str) or not sender_id or not isinstance(text, str):
                return response.json({"error": "bad_request"}, status=400)
            if len(text) > MAX_TEXT_CHARS:
                return response.json({"error": "message_too_long"}, status=413)
            if message_id is not None and not (isinstance(message_id, str) and MESSAGE_ID.match(message_id)):
                return response.json({"error": "bad_message_id"}, status=400)
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"error": "not_ready"}, status=503)
            # The turn finishes and is saved (or not) even if the caller hangs up meanwhile.
            task = asyncio.ensure_future(self._turn(agent, sender_id, text, message_id, body.get("metadata")))
            status, payload = await asyncio.shield(task)
            return response.json(payload, status=status)

        @webhook.route("/conversations/purge", methods=["POST"])
        async def purge(request: Request) -> HTTPResponse:
            """Retention: erase conversations whose last event is before `before`, except `keep` (those with a lead)."""
            if not authorized(request, self.token):
                return response.json({"error": "unauthorized"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            before, keep = body.get("before"), body.get("keep") or []
            if not isinstance(before, (int, float)) or not isinstance(keep, list):
                return response.json({"error": "bad_request"}, status=400)
            agent = request.app.ctx.agent
            if agent is None:
                return response.json({"error": "not_ready"}, status=503)
            expired = await asyncio.to_thread(expired_conversations, _innermost(agent.tracker_store), float(before))
            keep_set = {k for k in keep if isinstance(k, str)}
            erased = 0
            for sender_id in expired:
                if sender_id not in keep_set:
                    await erase_tracker(agent, sender_id)
                    erased += 1
            return response.json({"erased": erased})

        @webhook.route("/conversations/<sender_id>", methods=["DELETE"])
        async def forget(request: Request, sender_id: Text) -> HTTPResponse:
            """Erase a conversation's tracker (forget-me). 204 erased; 202 queued behind a running turn."""
            if not authorized(request, self.token):
                return response.json({"error": "unauthorized"}, status=401)
            agent = request.app.ctx.agent
            if agent is None:
                return response.json({"error": "not_ready"}, status=503)
            task = asyncio.ensure_future(erase_tracker(agent, sender_id))
            _ERASING.add(task)
            task.add_done_callback(_ERASING.discard)
            if request.args.get("wait", "1") == "0":
                # The caller is this conversation's own action: its turn holds the lock, so the rows
                # go once the turn has been saved (the lock is first-come, first-served).
                return response.json({"status": "scheduled"}, status=202)
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=ERASE_WAIT_S)
            except asyncio.TimeoutError:
                return response.json({"status": "scheduled"}, status=202)
            except Exception as exc:  # noqa: BLE001 - report, never the conversation's content
                logger.error("conversation %s: tracker not erased (%s)", sender_id, type(exc).__name__)
                return response.json({"error": "erase_failed"}, status=500)
            return response.empty(status=204)

        return webhook

    async def _turn(self, agent: Any, sender_id: Text, text: Text, message_id: Optional[Text], metadata: Any) -> tuple:
        collector = CollectingOutputChannel()
        try:
            async with agent.lock_store.lock(sender_id):
                # Always, not only on a retry: a first attempt that reached Rasa late (after the caller
                # timed out and already resent it) must not be applied a second time.
                if message_id and await _maybe_stored(agent.tracker_store, sender_id, message_id):
                    tracker = await agent.tracker_store.retrieve(sender_id)
                    stored = replies_after(list(tracker.events), sender_id, message_id) if tracker else None
                    if stored is not None:
                        logger.info("conversation %s: resent message already processed; stored reply sent", sender_id)
                        return 200, stored
                kwargs = {"message_id": message_id} if message_id else {}
                await agent.processor.handle_message(
                    UserMessage(
                        text,
                        collector,
                        sender_id,
                        input_channel=self.name(),
                        metadata=metadata if isinstance(metadata, dict) else None,
                        **kwargs,
                    )
                )
        except TurnAborted as exc:
            logger.error("conversation %s: turn not saved, the visitor is asked to resend (%s)", sender_id, exc)
            return 503, {"error": "turn_failed", "crisis": await _is_crisis(agent, text)}
        except Exception as exc:  # noqa: BLE001 - anything else: same answer, never the text in the log
            logger.error("conversation %s: turn failed (%s)", sender_id, type(exc).__name__)
            return 503, {"error": "turn_failed", "crisis": await _is_crisis(agent, text)}
        return 200, collector.messages


async def _maybe_stored(store: Any, sender_id: Text, message_id: Text) -> bool:
    """Cheap pre-check: the project's tracker store answers with one query; any other store: maybe."""
    has_message = getattr(store, "has_message", None)
    return True if has_message is None else await has_message(sender_id, message_id)


async def _is_crisis(agent: Any, text: Text) -> bool:
    """On a failed turn, still tell the relay whether the message was crisis language (988 first)."""
    try:
        parsed = await agent.parse_message(text)
        return (parsed.get("intent") or {}).get("name") == "crisis"
    except Exception:  # noqa: BLE001 - the relay's own patterns are the fallback
        return False
