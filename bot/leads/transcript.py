"""The conversation transcript, read from Rasa's HTTP API (the tracker store stays Rasa's).

A lead page must still open when Rasa is down, so failures come back as a plain note for staff
rather than an exception; the note names the failure, never the conversation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import httpx


@dataclass
class Transcript:
    turns: List[Dict[str, Any]] = field(default_factory=list)  # {sender: visitor|bot, text, at}
    error: Optional[str] = None


def _turns(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    turns = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        stamp = event.get("timestamp")
        at = dt.datetime.fromtimestamp(stamp, dt.timezone.utc).isoformat(timespec="seconds") if stamp else None
        turns.append({"sender": "visitor" if kind == "user" else "bot", "text": str(event["text"]), "at": at})
    return turns


async def fetch(rasa_url: str, token: str, conversation_id: str, timeout: float = 5.0) -> Transcript:
    url = f"{rasa_url.rstrip('/')}/conversations/{quote(conversation_id, safe='')}/tracker"
    params = {"token": token} if token else {}
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            resp = await client.get(url, params=params)
    except httpx.HTTPError as exc:
        return Transcript(
            error=f"The Rasa server could not be reached ({type(exc).__name__}), so the transcript is not shown."
        )
    if resp.status_code != 200:
        return Transcript(error=f"The Rasa server answered HTTP {resp.status_code}, so the transcript is not shown.")
    try:
        events = resp.json().get("events") or []
    except ValueError:
        return Transcript(error="The Rasa server sent something that is not a tracker, so the transcript is not shown.")
    return Transcript(turns=_turns(events))
