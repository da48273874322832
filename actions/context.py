"""Shared resources for the action server, created once on first use (never at import)."""

from __future__ import annotations

from functools import lru_cache

from bot.leads.store import LeadStore
from bot.schema import open_lead_store
from bot.screening.lexicon import Lexicon, load_lexicon
from bot.screening.policy import Policy, load_policy
from bot.settings import Settings


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return load_lexicon()


@lru_cache(maxsize=1)
def policy() -> Policy:
    return load_policy(settings().policy_path, known_classes=list(lexicon().classes))


@lru_cache(maxsize=1)
def lead_store() -> LeadStore:
    return open_lead_store(settings().database_url, policy().notification_channels)
