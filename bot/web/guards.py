"""Guards and helpers shared by the dashboard (bot/web/staff.py) and the lead API (bot/web/api.py).

Why a module of its own: both blueprints check the same staff session (the API also accepts it for
its OpenAPI document) and read the same per-app state, so neither imports the other.
"""

from __future__ import annotations

import asyncio
from functools import wraps
from types import SimpleNamespace
from typing import Any, Dict, Optional
from urllib.parse import urlencode

from sanic import response

from bot.staff import auth

COOKIE = "staff_session"
PRIVATE_PREFIXES = ("/staff", "/api")  # lead data: never cached, never framed
PRIVATE_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"


def ctx(request) -> SimpleNamespace:
    """The dashboard's and API's per-app state (store, engine, session settings), opened by bot/web/staff.py."""
    return request.app.ctx.staff


def client_ip(request) -> str:
    """The address written to the audit log."""
    return request.remote_addr or request.ip or ""


def set_cookie(request, resp, name: str, value: str, max_age: Optional[int]) -> None:
    """An HttpOnly, SameSite=Strict cookie; Secure per STAFF_COOKIE_SECURE (auto: when the request is https)."""
    secure = ctx(request).sessions.cookie_secure
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    if secure == "true" or (secure == "auto" and request.scheme == "https"):
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def current_session(request) -> Optional[Dict[str, Any]]:
    """The live staff session of the request's cookie, else None. Talks to the database: call it off the loop."""
    state = ctx(request)
    return auth.load_session(state.engine, request.cookies.get(COOKIE), state.sessions)


def staff_only(handler):
    """Redirect to login without a session; refuse a POST without the session's CSRF token."""

    @wraps(handler)
    async def wrapper(request, *args, **kwargs):
        session = await asyncio.to_thread(current_session, request)
        if session is None:
            target = request.path + (f"?{request.query_string}" if request.query_string else "")
            return response.redirect("/staff/login?" + urlencode({"next": target}), status=303)
        if request.method == "POST" and not auth.csrf_ok(session["csrf"], (request.form or {}).get("csrf_token")):
            return response.text(
                "The form has expired or did not come from this dashboard. Go back, reload and try again.", status=403
            )
        request.ctx.session = session
        return await handler(request, *args, **kwargs)

    return wrapper


async def private_headers(request, resp) -> None:
    """Response middleware (app-wide, so error pages under /staff and /api get it too)."""
    if resp is not None and request.path.startswith(PRIVATE_PREFIXES):
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Content-Security-Policy"] = PRIVATE_CSP
