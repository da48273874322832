"""Visitor chat: the widget's only server, a thin relay to Rasa's REST channel.

Why a relay and not the browser talking to Rasa: Rasa's port stays private, the web app checks
every message (size, sender id, origin) before Rasa sees it, and one CORS policy covers the widget.
The REST channel is stateless over HTTP, so Rasa replicas behind a load balancer need no sticky
sessions (the conversation lives in Rasa's tracker store, keyed by the sender id).

Privacy: message text is health data. Nothing here logs it; errors are logged by kind only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional

import httpx
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.screening.crisis import is_crisis
from bot.screening.messages import CRISIS_TEXT
from bot.web import edge

log = logging.getLogger(__name__)
MESSAGE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
REPLY_CACHE_SIZE = 5000  # recent (sender, message id) -> reply; a retry arrives within minutes
RESEND = "Sorry, that message didn't get through on our side, so it was not counted. Please send it again."

STATIC = Path(__file__).resolve().parent / "static"
SENDER_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_MESSAGE_CHARS = 2000
MAX_BODY_BYTES = 16 * 1024  # a 2000-character message in JSON, escaped, fits many times over
# Issue 11 asks the edge limits (rate and length) to answer 429 with a kind message. `retry` is false and there
# is no Retry-After: sending the same text again will not help; `error` says to shorten it, which the widget does.
TOO_LONG_STATUS = 429
# How long the relay waits for a turn before asking the visitor to try again. Long, because a turn that
# waits behind others is still processed, and a resend only waits for the same turn: with 30 s, a Rasa
# server killed under 200 visitors at once left the other one slow enough that many visitors saw a second
# "please try again". Below nginx's proxy_read_timeout (60 s) in the cluster profile.
RASA_TIMEOUT_S = 55.0
CORS_PATHS = ("/chat", "/widget.js", "/widget.css")
TOO_LONG = f"That message is too long for the chat: please keep it under {MAX_MESSAGE_CHARS} characters."
BAD_TEXT = "Some characters in that message couldn't be read. Please retype it and send it again."


def origin_allowed(origin: str, allowed: FrozenSet[str]) -> bool:
    """Only configured origins (PUBLIC_ORIGIN and ALLOWED_ORIGINS); the Host header is the client's to forge."""
    return origin.strip().rstrip("/").lower() in allowed


def error(status: int, code: str, message: str, retry: bool = False) -> HTTPResponse:
    return response.json({"error": code, "message": message, "retry": retry}, status=status)


def clean_messages(raw: Any) -> List[Dict[str, Any]]:
    """Keep only what the widget renders (text and buttons) from Rasa's REST reply."""
    messages: List[Dict[str, Any]] = []
    if not isinstance(raw, list):
        return messages
    for item in raw:
        if not isinstance(item, dict):
            continue
        out: Dict[str, Any] = {}
        if isinstance(item.get("text"), str):
            out["text"] = item["text"]
        buttons = []
        for button in item.get("buttons") or []:
            if isinstance(button, dict) and isinstance(button.get("title"), str):
                payload = button.get("payload")
                buttons.append(
                    {"title": button["title"], "payload": payload if isinstance(payload, str) else button["title"]}
                )
        if buttons:
            out["buttons"] = buttons
        if out:
            messages.append(out)
    return messages


class ReplyCache:
    """Recent replies by (sender, message id), so a retried message returns the reply it already got.

    A retry that arrives while the first attempt is still on its way waits for that attempt instead
    of sending the message twice. Per process and bounded; Rasa's channel keeps the same guarantee
    across processes and restarts (the message id is stored in the tracker).
    """

    def __init__(self, size: int = REPLY_CACHE_SIZE) -> None:
        self.size = size
        self._replies: OrderedDict[tuple, list] = OrderedDict()
        self._in_flight: Dict[tuple, asyncio.Future] = {}

    def get(self, key: tuple) -> Optional[list]:
        reply = self._replies.get(key)
        if reply is not None:
            self._replies.move_to_end(key)
        return reply

    def put(self, key: tuple, reply: list) -> None:
        self._replies[key] = reply
        self._replies.move_to_end(key)
        while len(self._replies) > self.size:
            self._replies.popitem(last=False)

    async def once(self, key: tuple, produce):
        """Run `produce()` for `key` unless a call for the same key is already running; share its result."""
        running = self._in_flight.get(key)
        if running is not None:
            return await asyncio.shield(running)
        future = asyncio.ensure_future(produce())
        self._in_flight[key] = future
        try:
            return await asyncio.shield(future)
        finally:
            if future.done():
                self._in_flight.pop(key, None)
            else:  # the caller hung up: drop the entry once the attempt itself ends
                future.add_done_callback(lambda _f: self._in_flight.pop(key, None))


def failure_messages(message: str, rasa_says_crisis: bool = False) -> List[Dict[str, str]]:
    """What a visitor sees with a failed turn: crisis resources first when the message needs them."""
    if rasa_says_crisis or is_crisis(message):
        return [{"text": CRISIS_TEXT}]
    return []


bp = Blueprint("chat")  # /chat, /widget.js, /widget.css: no common prefix


@bp.listener("before_server_start")
async def open_chat(app, _loop):
    """Per-app state: the Rasa HTTP client, the reply cache and the payloads a visitor may send."""
    # trust_env=False: Rasa is on a private address; never send health data through a proxy
    # picked up from the environment.
    # Pool sized for hundreds of visitors at once; idle connections are dropped well before
    # Rasa's server closes them (SANIC_KEEP_ALIVE_TIMEOUT=120 in the runner), never after.
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=100, keepalive_expiry=30)
    app.ctx.rasa_client = httpx.AsyncClient(timeout=RASA_TIMEOUT_S, trust_env=False, limits=limits)
    app.ctx.replies = ReplyCache()
    app.ctx.payloads = edge.known_payloads()


@bp.listener("after_server_stop")
async def close_rasa_client(app, _loop):
    client = getattr(app.ctx, "rasa_client", None)
    if client is not None:
        await client.aclose()


def cors_headers(request: Request) -> Dict[str, str]:
    origin = request.headers.get("origin")
    headers = {"Vary": "Origin"}
    if origin and origin_allowed(origin, request.app.ctx.edge.origins):
        headers["Access-Control-Allow-Origin"] = origin
    return headers


def forbidden_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or ""
    return bool(origin) and not origin_allowed(origin, request.app.ctx.edge.origins)


async def add_cors(request: Request, resp) -> None:
    """Response middleware, app-wide (bot/web/app.py), so the chat's error answers carry CORS headers too."""
    if request.path in CORS_PATHS and resp is not None:
        for key, value in cors_headers(request).items():
            resp.headers[key] = value


@bp.route("/chat", methods=["OPTIONS"], name="chat_preflight")
async def chat_preflight(request: Request):
    if forbidden_origin(request):
        return error(403, "origin_not_allowed", "This site is not allowed to use the chat.")
    return response.empty(
        status=204,
        headers={
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "600",
        },
    )


@bp.post("/chat", name="chat")
async def chat(request: Request):
    if forbidden_origin(request):
        # Refused before Rasa sees anything: CORS alone would only hide the reply.
        return error(403, "origin_not_allowed", "This site is not allowed to use the chat.")
    if len(request.body or b"") > MAX_BODY_BYTES:
        return error(TOO_LONG_STATUS, "message_too_long", TOO_LONG)
    try:
        body = json.loads(request.body or b"")
    except UnicodeDecodeError:
        return error(400, "bad_encoding", BAD_TEXT)
    except (ValueError, RecursionError):
        return error(400, "bad_json", 'The request body must be JSON: {"sender": ..., "message": ...}.')
    if not isinstance(body, dict):
        return error(400, "bad_json", "The request body must be a JSON object.")
    sender = body.get("sender")
    message = body.get("message")
    if not isinstance(sender, str) or not SENDER_RE.match(sender):
        return error(400, "bad_sender", "sender must be 8 to 64 letters, digits, '_' or '-'.")
    state = request.app.ctx
    wait = state.limits.chat(edge.client_ip(request, state.edge.trusted_proxies), sender)
    if wait is not None:
        return response.json(
            {"error": "rate_limited", "message": edge.SLOW_DOWN, "retry": True},
            status=429,
            headers={"Retry-After": str(wait)},
        )
    if isinstance(message, str):
        message = edge.clean_text(message)
        if message is None:
            return error(400, "bad_encoding", BAD_TEXT)
        message = edge.neutralise_payload(message, state.payloads)
    if not isinstance(message, str) or not message.strip():
        return error(400, "empty_message", "message must be a non-empty string.")
    if len(message) > MAX_MESSAGE_CHARS:
        return error(TOO_LONG_STATUS, "message_too_long", TOO_LONG)
    message_id = body.get("message_id")
    if message_id is not None and not (isinstance(message_id, str) and MESSAGE_ID_RE.match(message_id)):
        return error(400, "bad_message_id", "message_id must be 1 to 64 letters, digits, '_' or '-'.")
    retry = body.get("retry") is True

    if message_id is None:
        status, payload = await forward(request.app, sender, message, None, False)
    else:
        key = (sender, message_id)
        replies: ReplyCache = state.replies
        cached = replies.get(key)
        if cached is not None:
            return response.json({"messages": cached}, headers={"Cache-Control": "no-store"})
        status, payload = await replies.once(key, lambda: forward(request.app, sender, message, message_id, retry))
        if status == 200:
            replies.put(key, payload["messages"])
    return response.json(payload, status=status, headers={"Cache-Control": "no-store"})


async def forward(app: Sanic, sender: str, message: str, message_id: Optional[str], retry: bool):
    """One turn through Rasa: (status, body). Failures say whether to resend; the text is never logged."""
    url = app.ctx.settings.rasa_url.rstrip("/") + "/webhooks/rest/webhook"
    client: httpx.AsyncClient = app.ctx.rasa_client
    payload: Dict[str, Any] = {"sender": sender, "message": message}
    if message_id is not None:
        payload.update(message_id=message_id, retry=retry)

    def failed(status: int, code: str, text: str, crisis: bool = False):
        body = {"error": code, "message": text, "retry": True, "messages": failure_messages(message, crisis)}
        return status, body

    try:
        reply = await client.post(url, json=payload)
    except httpx.TimeoutException:
        log.warning("chat: conversation %s: Rasa timed out after %ss", sender, RASA_TIMEOUT_S)
        return failed(504, "assistant_timeout", "The assistant took too long to answer. Please try again.")
    except httpx.HTTPError as exc:
        log.warning("chat: conversation %s: Rasa unreachable (%s)", sender, type(exc).__name__)
        return failed(502, "assistant_unreachable", "The assistant can't be reached right now. Please try again.")
    try:
        raw = reply.json()
    except ValueError:
        raw = None
    if reply.status_code == 503 and isinstance(raw, dict) and raw.get("error") == "turn_failed":
        log.warning("chat: conversation %s: turn failed inside the assistant; visitor asked to resend", sender)
        return failed(503, "turn_failed", RESEND, crisis=bool(raw.get("crisis")))
    if reply.status_code != 200 or raw is None:
        log.warning("chat: conversation %s: Rasa answered HTTP %s", sender, reply.status_code)
        return failed(502, "assistant_error", "The assistant had a problem answering. Please try again.")
    return 200, {"messages": clean_messages(raw)}


def asset(filename: str, content_type: str):
    async def handler(request: Request):
        path = STATIC / filename
        return await response.file(
            str(path),
            mime_type=content_type,
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    return handler


# The embed snippet points at /widget.js; the widget loads /widget.css from the same server.
bp.add_route(
    asset("widget.js", "application/javascript; charset=utf-8"), "/widget.js", methods=["GET", "HEAD"], name="widget_js"
)
bp.add_route(asset("widget.css", "text/css; charset=utf-8"), "/widget.css", methods=["GET", "HEAD"], name="widget_css")
