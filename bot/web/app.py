"""Sanic app factory: the visitor page, and the chat, staff and api Blueprints. Run with `python -m bot.web` (the runner does).

Per-app state lives on app.ctx: settings, policy and templates here; the rest opened by each
Blueprint's before_server_start listener.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response

from bot.screening.policy import load_policy
from bot.settings import Settings
from bot.web import api, blocking, chat, edge, guards, staff

HERE = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None, name: str = "screening_web") -> Sanic:
    """Build the app; every outside resource is created here, at start-up, never at import."""
    settings = settings or Settings.from_env()
    policy = load_policy(settings.policy_path)
    templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    app = Sanic(name)
    app.ctx.settings = settings
    app.ctx.policy = policy
    app.ctx.templates = templates
    app.ctx.edge = edge_settings = settings.edge
    app.ctx.limits = limits = edge.Limits(edge_settings)
    headers = edge.security_headers(edge_settings.frame_ancestors)
    app.static("/static", str(HERE / "static"), name="static")

    @app.middleware("request")
    async def limit_login(request):
        """Staff login attempts per IP, before a password hash is computed (argon2 is slow on purpose)."""
        if request.method == "POST" and request.path == "/staff/login":
            wait = limits.login(edge.client_ip(request, edge_settings.trusted_proxies))
            if wait is not None:
                return response.text(edge.LOGIN_SLOW_DOWN, status=429, headers={"Retry-After": str(wait)})
        return None

    @app.middleware("response")
    async def security(request, resp):
        if resp is None:
            return
        for key, value in headers:
            if key not in resp.headers:
                resp.headers[key] = value

    @app.route("/", methods=["GET", "HEAD"])
    async def index(request):
        html = templates.get_template("index.html").render(clinic=policy.clinic, rasa_url=settings.rasa_url)
        return response.html(html)

    # After `security`: response middleware runs last-registered first, so the private pages' stricter headers win.
    app.register_middleware(guards.private_headers, "response")
    app.register_middleware(chat.add_cors, "response")
    app.blueprint(chat.bp)
    app.blueprint(staff.bp)  # opens app.ctx.staff (store, sessions), which the API's handlers also use
    app.blueprint(api.bp)
    blocking.register(app)

    @app.get("/healthz")
    async def healthz(request):
        return response.json({"status": "ok"})

    return app
