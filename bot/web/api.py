"""Lead API under /api for the clinic's own tools: JSON, `Authorization: Bearer <token>`.

Tokens are created with `python -m bot token add NAME` and stored as argon2 hashes. Answers:
401 without a valid token, 404 for an unknown lead, 400 with a message for a bad request.
One Blueprint (`bp`), registered by bot/web/app.py; it reads the state bot/web/staff.py opens (app.ctx.staff).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from functools import wraps
from pathlib import Path
from typing import Any, Dict

from sanic import Blueprint, response

from bot.infra import clock
from bot.leads import erase, transcript, worklist
from bot.leads.store import STATUSES
from bot.staff import audit, auth
from bot.web.blocking import blocking
from bot.web.guards import client_ip, ctx, current_session

MAX_OFFSET = 2**31 - 1  # found by fuzzing: 2**63 overflowed the database's integer (HTTP 500)
OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
PATCH_KEYS = {"status", "note", "close_reason"}

bp = Blueprint("api", url_prefix="/api")


def error(status: int, message: str, **headers) -> response.HTTPResponse:
    return response.json({"error": message}, status=status, headers=headers or None)


def token_only(handler):
    @wraps(handler)
    async def wrapper(request, *args, **kwargs):
        header = request.headers.get("authorization") or ""
        scheme, _, token = header.partition(" ")
        name = (
            await asyncio.to_thread(auth.check_token, ctx(request).engine, token.strip())
            if scheme.lower() == "bearer"
            else None
        )
        if name is None:
            return error(
                401,
                "a valid API token is required: Authorization: Bearer <token>",
                **{"WWW-Authenticate": 'Bearer realm="leads"'},
            )
        request.ctx.actor = f"token:{name}"
        return await handler(request, *args, **kwargs)

    return wrapper


def to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return clock.aware(value).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


@bp.get("/leads")
@token_only
@blocking
def api_list(request):
    state = ctx(request)
    status = request.args.get("status")
    if status and status not in STATUSES:
        return error(400, f"status must be one of {', '.join(STATUSES)}")
    try:
        since = worklist.parse_when(request.args.get("since"))
    except ValueError:
        return error(400, "since must be an ISO 8601 date or date-time, e.g. 2025-01-31 or 2025-01-31T08:00:00Z")
    try:
        limit = int(request.args.get("limit") or 100)
        offset = int(request.args.get("offset") or 0)
    except ValueError:
        return error(400, "limit and offset must be whole numbers")
    if not 1 <= limit <= 500 or not 0 <= offset <= MAX_OFFSET:
        return error(400, f"limit must be 1-500 and offset 0 to {MAX_OFFSET}")
    rows = worklist.list_leads(state.engine, worklist.Filters(status=status, since=since), limit=limit, offset=offset)
    audit.record(state.engine, request.ctx.actor, "api_list", detail=f"{len(rows)} rows", ip=client_ip(request))
    return response.json({"leads": to_json(rows), "count": len(rows), "limit": limit, "offset": offset})


@bp.get("/leads/<lead_id:str>")
@token_only
async def api_view(request, lead_id: str):
    state = ctx(request)
    lead = await asyncio.to_thread(state.store.get, lead_id)
    if lead is None:
        return error(404, f"no lead {lead_id}")
    settings = request.app.ctx.settings
    talk = await transcript.fetch(settings.rasa_url, settings.rasa_token, lead["conversation_id"])

    def history_and_audit():
        history = worklist.history(state.engine, lead_id)
        audit.record(state.engine, request.ctx.actor, "api_view", lead_id=lead_id, ip=client_ip(request))
        return history

    body: Dict[str, Any] = dict(
        lead,
        history=await asyncio.to_thread(history_and_audit),
        transcript=talk.turns if talk.error is None else None,
        transcript_error=talk.error,
    )
    return response.json(to_json(body))


@bp.patch("/leads/<lead_id:str>")
@token_only
@blocking
def api_update(request, lead_id: str):
    state = ctx(request)
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - Sanic raises InvalidUsage on bad JSON
        return error(400, "the body must be JSON")
    if not isinstance(body, dict):
        return error(400, 'the body must be a JSON object, e.g. {"status": "contacted", "note": "left a message"}')
    unknown = set(body) - PATCH_KEYS
    if unknown:
        return error(400, f"unknown field(s): {', '.join(sorted(unknown))}; allowed: status, note, close_reason")
    for key in PATCH_KEYS & set(body):
        if body[key] is not None and not isinstance(body[key], str):
            return error(400, f"{key} must be a string")
    try:
        event = worklist.change(
            state.engine,
            lead_id,
            request.ctx.actor,
            status=body.get("status"),
            note=body.get("note"),
            close_reason=body.get("close_reason"),
        )
    except LookupError:
        return error(404, f"no lead {lead_id}")
    except worklist.ChangeError as exc:
        return error(400, str(exc))
    detail = f"status {event['from_status']}->{event['to_status']}" if event["to_status"] else "note"
    audit.record(state.engine, request.ctx.actor, "api_update", lead_id=lead_id, detail=detail, ip=client_ip(request))
    return response.json(to_json(dict(state.store.get(lead_id), history=worklist.history(state.engine, lead_id))))


@bp.delete("/leads/<lead_id:str>")
@token_only
async def api_erase(request, lead_id: str):
    settings = request.app.ctx.settings
    done = await asyncio.to_thread(
        erase.erase,
        ctx(request).engine,
        settings.rasa_url,
        settings.rasa_token,
        request.ctx.actor,
        lead_id=lead_id,
        ip=client_ip(request),
    )
    if done is None:
        return error(404, f"no lead {lead_id}")
    if done.tracker.startswith("failed"):
        # The lead is gone; the conversation is not yet: say so, so the client can retry by conversation.
        return error(502, f"lead erased; conversation {done.conversation_id} not erased ({done.tracker})")
    return response.empty(status=204)


@bp.get("/openapi.yaml")
@blocking
def api_openapi(request):
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    allowed = (scheme.lower() == "bearer" and auth.check_token(ctx(request).engine, token.strip())) or current_session(
        request
    )
    if not allowed:
        return error(
            401, "a valid API token or staff session is required", **{"WWW-Authenticate": 'Bearer realm="leads"'}
        )
    return response.text(OPENAPI.read_text(encoding="utf-8"), content_type="application/yaml")
