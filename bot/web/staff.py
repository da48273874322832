"""Staff dashboard under /staff: login, the lead list, the lead page, working a lead, exports.

One Blueprint (`bp`), registered by bot/web/app.py; it also opens the state the lead API shares (app.ctx.staff).

Every page but the login page needs a live session; every POST needs the session's CSRF token.
Templates autoescape, so whatever a visitor typed shows as text. Nothing here logs lead data.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import logging
import secrets
from types import SimpleNamespace
from typing import Any, Dict, List, Optional
from urllib.parse import quote, urlencode

from sanic import Blueprint, response

from bot.infra import clock
from bot.leads import erase, outbox, transcript, worker as lead_worker, worklist
from bot.leads.answers import answer_rows
from bot.leads.store import STATUSES
from bot.schema import open_lead_store
from bot.screening import catalogue
from bot.staff import audit, auth
from bot.web.blocking import blocking
from bot.web.guards import COOKIE, client_ip, ctx, set_cookie, staff_only

LOGIN_CSRF_COOKIE = "staff_login_csrf"
PUBLIC_PATHS = ("/staff/login",)  # the only /staff route open without a session

bp = Blueprint("staff", url_prefix="/staff")


def when(value: Any) -> str:
    """UTC timestamp for people: 2025-01-31 14:05 UTC."""
    value = clock.aware(value)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def page(request, template: str, status: int = 200, **values) -> response.HTTPResponse:
    session = getattr(request.ctx, "session", None)
    html = request.app.ctx.templates.get_template(f"staff/{template}").render(
        session=session, csrf=session["csrf"] if session else "", statuses=STATUSES, **values
    )
    return response.html(html, status=status)


def safe_next(target: Optional[str]) -> str:
    """Only local dashboard paths (no open redirect)."""
    if target and target.startswith("/staff/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/staff/leads"


def filters_from(args) -> tuple[worklist.Filters, Optional[str]]:
    f = worklist.Filters(
        q=(args.get("q") or "").strip()[:100], sort="priority" if args.get("sort") == "priority" else "newest"
    )
    status = args.get("status") or ""
    if status in STATUSES:
        f.status = status
    try:
        f.since = worklist.parse_when(args.get("since"))
        f.until = worklist.parse_when(args.get("until"), end_of_day=True)
    except ValueError:
        return f, "Dates must look like 2025-01-31."
    return f, None


CSV_FIELDS = (
    "id",
    "created_at",
    "status",
    "outcome",
    "urgent",
    "human_requested",
    "full_name",
    "email",
    "phone",
    "preferred_contact_time",
    "contact_consent",
    "reasons",
)


def csv_cell(value: Any) -> str:
    """Text for a spreadsheet; a leading = + - @ would run as a formula, so it is quoted away."""
    if isinstance(value, dt.datetime):
        value = clock.aware(value).isoformat(timespec="seconds")
    elif isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif value is None:
        value = ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def lead_view(lead: Dict[str, Any]) -> Dict[str, Any]:
    """The ten-second summary: every answer spelled out, the contraindication answers in their own table.

    Medications get the lead's medication table (class, flag and why for each); their row says only
    whether the question was answered."""
    rows = answer_rows(lead)
    return {
        "medications": next((r for r in rows if r.kind == catalogue.MEDICATIONS), None),
        "summary": [r for r in rows if r.kind not in (catalogue.YES_NO, catalogue.MEDICATIONS)],
        "checks": [r for r in rows if r.kind == catalogue.YES_NO],
    }


def csv_fields() -> List[str]:
    """The lead columns, then one column per screening answer (named by its slot)."""
    return list(CSV_FIELDS) + [r.slot for r in answer_rows({})]


def csv_row(lead: Dict[str, Any]) -> List[str]:
    shown = [r.shown for r in answer_rows(lead)]
    return [csv_cell(lead.get(k)) for k in CSV_FIELDS] + [csv_cell(text) for text in shown]


@bp.listener("before_server_start")
async def open_staff(app, loop):
    """The dashboard's and API's state on app.ctx.staff (bot.web.guards.ctx reads it)."""
    app.ctx.templates.filters["when"] = when
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry URLs with the Rasa token
    settings = app.ctx.settings
    store = getattr(app.ctx, "lead_store", None) or open_lead_store(
        settings.database_url, app.ctx.policy.notification_channels
    )
    app.ctx.staff = SimpleNamespace(
        store=store,
        engine=store.engine,
        sessions=settings.staff.session,
        refresh=settings.staff.refresh_seconds,
        worker=None,
    )


@bp.listener("after_server_start")
async def start_worker(app, loop):
    if not app.ctx.settings.staff.outbox_in_web:
        return
    background = lead_worker.build_worker(app.ctx.staff.engine, app.ctx.policy, app.ctx.settings)
    stop = asyncio.Event()
    app.ctx.staff.worker = (stop, loop.create_task(background.run_forever(stop)))


@bp.listener("before_server_stop")
async def stop_worker(app, loop):
    if getattr(app.ctx, "staff", None) and app.ctx.staff.worker:
        stop, task = app.ctx.staff.worker
        stop.set()
        await asyncio.wait([task], timeout=10)


@bp.get("")
@staff_only
@blocking
def staff_home(request):
    return response.redirect("/staff/leads", status=303)


@bp.get("/login")
@blocking
def login_form(request):
    token = secrets.token_urlsafe(24)
    resp = page(request, "login.html", login_csrf=token, next=safe_next(request.args.get("next")), error=None)
    set_cookie(request, resp, LOGIN_CSRF_COOKIE, token, 1800)
    return resp


@bp.post("/login")
@blocking
def login(request):
    state = ctx(request)
    form = request.form or {}
    username = (form.get("username") or "").strip()[:64]
    target = safe_next(form.get("next"))
    if not auth.csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf_token")):
        return response.text("The login form expired. Reload the page and try again.", status=403)
    since = auth.now() - state.sessions.lockout
    locked = audit.failures_since(state.engine, username, since) >= state.sessions.max_failures
    user = None if locked else auth.check_password(state.engine, username, form.get("password") or "")
    if user is None:
        audit.record(
            state.engine, username or "-", "login_failed", ip=client_ip(request), detail="locked" if locked else ""
        )
        message = "Too many failed logins; try again later." if locked else "Wrong username or password."
        token = secrets.token_urlsafe(24)
        resp = page(request, "login.html", status=401, login_csrf=token, next=target, error=message)
        set_cookie(request, resp, LOGIN_CSRF_COOKIE, token, 1800)
        return resp
    sid, _ = auth.start_session(state.engine, user["id"], state.sessions)
    audit.record(state.engine, user["username"], "login", ip=client_ip(request))
    resp = response.redirect(target, status=303)
    set_cookie(request, resp, COOKIE, sid, int(state.sessions.lifetime.total_seconds()))
    del resp.cookies[LOGIN_CSRF_COOKIE]
    return resp


@bp.post("/logout")
@staff_only
@blocking
def logout(request):
    state = ctx(request)
    auth.end_session(state.engine, request.cookies.get(COOKIE))
    audit.record(state.engine, request.ctx.session["username"], "logout", ip=client_ip(request))
    resp = response.redirect("/staff/login", status=303)
    del resp.cookies[COOKIE]
    return resp


@bp.get("/leads")
@staff_only
@blocking
def lead_list(request):
    state = ctx(request)
    f, error = filters_from(request.args)
    rows = worklist.list_leads(state.engine, f)
    audit.record(
        state.engine, request.ctx.session["username"], "list_leads", detail=f"{len(rows)} rows", ip=client_ip(request)
    )
    query = urlencode(
        {k: v for k, v in request.args.items() if k in ("status", "since", "until", "q", "sort")}, doseq=True
    )
    return page(
        request,
        "leads.html",
        leads=rows,
        counts=worklist.status_counts(state.engine),
        f=f,
        error=error,
        raw=request.args,
        query=query,
        refresh=state.refresh,
    )


@bp.get("/leads.csv")
@staff_only
@blocking
def lead_csv(request):
    state = ctx(request)
    f, error = filters_from(request.args)
    if error:
        return response.text(error, status=400)
    rows = worklist.list_leads(state.engine, f, limit=100000)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_fields())
    for row in rows:
        writer.writerow(csv_row(row))
    audit.record(
        state.engine, request.ctx.session["username"], "export_csv", detail=f"{len(rows)} rows", ip=client_ip(request)
    )
    name = f"leads-{dt.date.today().isoformat()}.csv"
    return response.text(
        buffer.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/leads/<lead_id:str>")
@staff_only
async def lead_page(request, lead_id: str):
    state = ctx(request)
    lead = await asyncio.to_thread(state.store.get, lead_id)
    if lead is None:
        return page(request, "missing.html", status=404)
    settings = request.app.ctx.settings
    talk = await transcript.fetch(settings.rasa_url, settings.rasa_token, lead["conversation_id"])
    return await asyncio.to_thread(render_lead_page, request, lead, talk)


def render_lead_page(request, lead, talk):
    """The lead page's database reads, audit and rendering: in a worker thread (see lead_page)."""
    state = ctx(request)
    lead_id = lead["id"]
    events = worklist.history(state.engine, lead_id)
    audit.record(state.engine, request.ctx.session["username"], "view_lead", lead_id=lead_id, ip=client_ip(request))
    return page(
        request,
        "lead.html",
        lead=lead,
        view=lead_view(lead),
        transcript=talk,
        events=events,
        close_reason=worklist.close_reason(events),
        close_reasons=worklist.CLOSE_REASONS,
        notifications=outbox.status_for_lead(state.engine, lead_id),
        saved=request.args.get("saved") == "1",
        error=request.args.get("error"),
    )


@bp.post("/leads/<lead_id:str>")
@staff_only
@blocking
def lead_update(request, lead_id: str):
    state = ctx(request)
    form = request.form or {}
    status = form.get("status") or None
    reason = form.get("close_reason") or None
    if status != "closed":
        reason = None
    try:
        event = worklist.change(
            state.engine,
            lead_id,
            request.ctx.session["username"],
            status=status,
            note=form.get("note"),
            close_reason=reason,
        )
    except LookupError:
        return page(request, "missing.html", status=404)
    except worklist.ChangeError as exc:
        return response.redirect(f"/staff/leads/{quote(lead_id)}?" + urlencode({"error": str(exc)}), status=303)
    detail = f"status {event['from_status']}->{event['to_status']}" if event["to_status"] else "note"
    audit.record(
        state.engine,
        request.ctx.session["username"],
        "update_lead",
        lead_id=lead_id,
        detail=detail,
        ip=client_ip(request),
    )
    return response.redirect(f"/staff/leads/{quote(lead_id)}?saved=1", status=303)


@bp.get("/leads/<lead_id:str>/erase")
@staff_only
@blocking
def erase_confirm(request, lead_id: str):
    lead = ctx(request).store.get(lead_id)
    return page(request, "erase.html", lead=lead) if lead else page(request, "missing.html", status=404)


@bp.post("/leads/<lead_id:str>/erase")
@staff_only
async def erase_lead(request, lead_id: str):
    if (request.form or {}).get("confirm") != "yes":
        return response.redirect(f"/staff/leads/{quote(lead_id)}/erase", status=303)
    settings = request.app.ctx.settings
    done = await asyncio.to_thread(
        erase.erase,
        ctx(request).engine,
        settings.rasa_url,
        settings.rasa_token,
        request.ctx.session["username"],
        lead_id=lead_id,
        ip=client_ip(request),
    )
    if done is None:
        return page(request, "missing.html", status=404)
    return response.redirect("/staff/leads?" + urlencode({"erased": lead_id, "tracker": done.tracker}), status=303)


@bp.get("/leads/<lead_id:str>/fhir.json")
@staff_only
@blocking
def lead_fhir(request, lead_id: str):
    state = ctx(request)
    lead = state.store.get(lead_id)
    if lead is None:
        return page(request, "missing.html", status=404)
    from bot.leads import fhir  # imported here so the dashboard still starts if fhir.resources is missing

    resource = fhir.build(lead)
    audit.record(state.engine, request.ctx.session["username"], "export_fhir", lead_id=lead_id, ip=client_ip(request))
    return response.text(
        json.dumps(resource, indent=2),
        content_type="application/fhir+json",
        headers={"Content-Disposition": f'attachment; filename="{lead_id}-questionnaire-response.json"'},
    )


@bp.get("/audit")
@staff_only
@blocking
def audit_page(request):
    return page(request, "audit.html", entries=audit.recent(ctx(request).engine))
