"""Limits at the public edge: rate limits, security headers, origins, and which `/intent` payloads pass.

The web app is the only public entry (Rasa's and the action server's ports stay private), so every
visitor message and staff login is checked here, before Rasa or the lead store sees it.
Settings: `Settings.edge` (bot/settings.py, read once at start-up), documented in docs/security.md.
"""

from __future__ import annotations

import ast
import math
import time
import unicodedata
from pathlib import Path
from typing import FrozenSet, Iterable, Optional, Tuple

import yaml
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bot.settings import ROOT, EdgeSettings  # noqa: F401 - EdgeSettings: the settings' edge section, read by Limits

SLOW_DOWN = "You're sending messages faster than we can read them. Please wait a moment, then try again."
LOGIN_SLOW_DOWN = "Too many login attempts from your network. Please wait a minute, then try again."
# The widget's own payloads, sent without a button: the hidden greeting and the restart link.
WIDGET_PAYLOADS = ("/greet", "/restart", "/erase_data", "/request_human")
# The visitor page's policy (was a <meta> tag); frame-ancestors comes from FRAME_ANCESTORS.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'none'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)


def client_ip(request, trusted_proxies: int) -> str:
    """The socket peer; behind N trusted proxies, the address the outermost of them saw."""
    peer = request.ip or ""
    if trusted_proxies <= 0:
        return peer
    hops = [h.strip() for h in (request.headers.get("x-forwarded-for") or "").split(",") if h.strip()]
    return hops[-trusted_proxies] if len(hops) >= trusted_proxies else (hops[0] if hops else peer)


class Limits:
    """Moving-window limits from the `limits` package; storage is memory or e.g. redis:// for replicas."""

    def __init__(self, settings: EdgeSettings) -> None:
        self.storage = storage_from_string(settings.storage)  # the limiter keeps only a weak reference
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.chat_conversation = parse(settings.chat_limit_conversation)
        self.chat_ip = parse(settings.chat_limit_ip)
        self.login_ip = parse(settings.login_limit_ip)

    def _hit(self, item, *key: str) -> Optional[int]:
        """None if allowed, else seconds until a new hit would be."""
        if self.limiter.hit(item, *key):
            return None
        reset_at, _remaining = self.limiter.get_window_stats(item, *key)
        return max(1, math.ceil(reset_at - time.time()))

    def chat(self, ip: str, sender: str) -> Optional[int]:
        """Per IP first (one visitor cannot exhaust others' conversations), then per conversation."""
        return self._hit(self.chat_ip, "chat-ip", ip) or self._hit(self.chat_conversation, "chat-conv", sender)

    def login(self, ip: str) -> Optional[int]:
        return self._hit(self.login_ip, "login-ip", ip)


def security_headers(frame_ancestors: str) -> Tuple[Tuple[str, str], ...]:
    """Headers for every response that does not set its own (the staff pages set a stricter CSP)."""
    headers = [
        ("Content-Security-Policy", f"{PAGE_CSP}; frame-ancestors {frame_ancestors}"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]
    if frame_ancestors == "'self'":  # older browsers without CSP level 2
        headers.append(("X-Frame-Options", "SAMEORIGIN"))
    return tuple(headers)


# --- which "/intent" payloads a visitor may send ------------------------------------------------------


def _payloads_in_python(path: Path) -> Iterable[str]:
    """String values of "payload" keys in dict literals (the actions' and messages' buttons)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "payload"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    yield value.value


def _payloads_in_domain(path: Path) -> Iterable[str]:
    domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for variants in (domain.get("responses") or {}).values():
        for variant in variants or []:
            for button in (variant or {}).get("buttons") or []:
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    yield button["payload"]


def known_payloads(root: Path = ROOT) -> FrozenSet[str]:
    """Every `/intent` payload a button or the widget can send; built once at start-up."""
    found = set(WIDGET_PAYLOADS)
    found.update(_payloads_in_domain(root / "domain.yml"))
    for path in sorted((root / "actions").glob("*.py")) + [root / "bot" / "screening" / "messages.py"]:
        found.update(_payloads_in_python(path))
    return frozenset(p.strip() for p in found if p.strip().startswith("/"))


def neutralise_payload(message: str, allowed: FrozenSet[str]) -> str:
    """A typed `/inform{"age": 99}` must not set slots: unknown `/...` text goes to Rasa as plain text.

    Rasa strips the text and reads any text starting with "/" as intent + entities, so the leading
    slashes are removed (the rest still reaches the NLU like any other sentence).
    """
    stripped = message.strip()
    if not stripped.startswith("/") or stripped in allowed:
        return message
    return stripped.lstrip("/").strip()


def clean_text(message: str) -> Optional[str]:
    """The message without control characters (NUL breaks PostgreSQL text), or None if not valid Unicode."""
    try:
        message.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: JSON allows "\\ud800", UTF-8 does not
        return None
    return "".join(ch for ch in message if ch in "\n\t" or unicodedata.category(ch) != "Cc")
