"""Sanic app factory for the visitor page. Run with `python -m bot.web` (the runner does)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response

from bot.policy import load_policy
from bot.web import blocking, chat, staff
from bot.settings import Settings

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
    app.static("/static", str(HERE / "static"), name="static")

    @app.get("/")
    async def index(request):
        html = templates.get_template("index.html").render(clinic=policy.clinic, rasa_url=settings.rasa_url)
        return response.html(html)

    chat.register(app)
    staff.register(app)
    blocking.register(app)

    @app.get("/healthz")
    async def healthz(request):
        return response.json({"status": "ok"})

    return app
