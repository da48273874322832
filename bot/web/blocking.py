"""Database work off the event loop: one locked write must never stall every visitor's chat.

Staff and API handlers are plain functions that talk to the database; `blocking` runs them in a
worker thread. A database that stays busy past its short timeout answers 503 "try again in a
moment" instead of a 500 or a frozen server.
"""

from __future__ import annotations

import asyncio
import logging
from functools import wraps

from sanic import Sanic, response
from sqlalchemy.exc import OperationalError, TimeoutError as PoolTimeout

log = logging.getLogger(__name__)
BUSY = "The database is busy right now. Please try again in a moment."


def blocking(handler):
    """Run a synchronous request handler in a worker thread."""

    @wraps(handler)
    async def wrapper(request, *args, **kwargs):
        return await asyncio.to_thread(handler, request, *args, **kwargs)

    return wrapper


def register(app: Sanic) -> None:
    """A busy or unreachable database is a 503 with a clear message, logged by kind only."""

    @app.exception(OperationalError, PoolTimeout)
    async def database_busy(request, exc):
        log.warning("%s %s: database unavailable (%s)", request.method, request.path, type(exc).__name__)
        if request.path.startswith("/api"):
            return response.json({"error": BUSY}, status=503, headers={"Retry-After": "5"})
        return response.text(BUSY, status=503, headers={"Retry-After": "5"})
