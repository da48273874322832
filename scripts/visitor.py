"""A screening visitor for load tests: reads the open question in the bot's reply and answers it.

Shared by scripts/bench.py and tests/test_cluster.py. The questions are recognised by their text in
domain.yml (`utter_ask_<slot>`), so a reworded question needs no change here. Each visitor has its
own answers (age, severity, pain duration, email) so a test can check that the stored lead holds exactly
what that visitor sent. Transport is a callable: Rasa's REST channel or the web app's /chat relay.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
LEAD_ID = re.compile(r"\bL-[A-Z2-9]{8}\b")
# One name for everyone: the bot loops on some names ("Fay Baker", "James Baker" get the out-of-scope
# answer); the subject here is the serving, and each visitor is told apart by email, age, severity, duration.
NAME = "Jane Doe"
YES_NO_SLOTS = ("pregnant", "psychosis_history", "heart_condition", "liver_disease", "substance_use",
                "ketamine_reaction", "pressure_condition", "seizure_history")


def questions(domain: Path = ROOT / "domain.yml") -> Dict[str, str]:
    """Question text -> slot, from the domain's `utter_ask_<slot>` responses."""
    responses = yaml.safe_load(domain.read_text(encoding="utf-8"))["responses"]
    out = {}
    for name, variants in responses.items():
        if name.startswith("utter_ask_"):
            for v in variants:
                if v.get("text"):
                    out[v["text"].strip()] = name[len("utter_ask_"):]
    return out


@dataclass
class Persona:
    """What one visitor answers; `expected` is what the lead must hold afterwards."""

    index: int
    tag: str = "v"

    @property
    def answers(self) -> Dict[str, str]:
        i = self.index
        a = {
            "health_data_consent": "yes",
            "age": str(30 + i % 40),
            "condition": "I have CRPS",
            "pain_duration_months": f"{2 + i % 8} years",
            "pain_severity": str(5 + i % 5),
            "prior_treatments": "physical therapy and nerve blocks",
            "medications": "gabapentin",
            "medications_confirmed": "yes",
            "full_name": NAME,
            "email": f"visitor{i}.{self.tag}@example.com",
            "phone": "303-555-0142",
            "preferred_contact_time": "mornings",
            "contact_consent": "yes",
            "contact_wanted": "yes",
        }
        a.update({slot: "no" for slot in YES_NO_SLOTS})
        return a

    def mismatches(self, lead: Dict[str, Any]) -> List[str]:
        """Fields of the stored lead that differ from what this visitor sent (names of fields only)."""
        a, got = self.answers, lead.get("answers") or {}
        expected = {"age": float(a["age"]), "pain_severity": float(a["pain_severity"]),
                    "pain_duration_months": float(a["pain_duration_months"].split()[0]) * 12,
                    **{slot: False for slot in YES_NO_SLOTS}}
        bad = [k for k, v in expected.items() if got.get(k) != v]
        if lead.get("email") != a["email"]:
            bad.append("email")
        if lead.get("full_name") != a["full_name"]:
            bad.append("full_name")
        return bad


Send = Callable[[str, str], Awaitable[List[Dict[str, Any]]]]


class TryAgain(Exception):
    """The transport answered with a retryable error (e.g. 502 while a Rasa server died mid-turn)."""


@dataclass
class Result:
    sender: str
    persona: Persona
    lead_id: Optional[str] = None
    latencies: List[float] = field(default_factory=list)
    empty_replies: int = 0
    retries: int = 0
    error: Optional[str] = None
    unknown: List[str] = field(default_factory=list)  # bot texts with no domain question (answered "yes")


async def screen(send: Send, sender: str, persona: Persona, known: Dict[str, str], max_turns: int = 40,
                 retry_once: bool = True) -> Result:
    """One whole screening: greet, then answer each question the bot asks, until it gives a reference number."""
    res = Result(sender, persona)
    answers = persona.answers
    text = "hi"
    for _turn in range(max_turns):
        replies: List[Dict[str, Any]] = []
        for attempt in (0, 1):
            t0 = time.perf_counter()
            try:
                replies = await send(sender, text)
                res.latencies.append(time.perf_counter() - t0)
                break
            except TryAgain as exc:
                if attempt or not retry_once:
                    res.error = f"{exc} (after one retry)"
                    return res
                res.retries += 1  # what the widget's Retry button does: the same message once more
            except Exception as exc:  # noqa: BLE001 - a failed turn ends this visitor
                res.error = f"{type(exc).__name__}: {exc}"
                return res
        texts = [r.get("text") or "" for r in replies]
        if not any(t.strip() for t in texts):
            res.empty_replies += 1
        joined = "\n".join(texts)
        found = LEAD_ID.search(joined)
        if found:
            res.lead_id = found.group(0)
            return res
        slot = next((known[t.strip()] for t in reversed(texts) if t.strip() in known), None)
        if slot is None:  # not a domain question: the medication read-back or the contact offer, both "yes"
            res.unknown.append(joined[-80:])
        text = answers.get(slot, "yes") if slot else "yes"
    res.error = "no reference number within the turn limit"
    return res


def rest_sender(client: httpx.AsyncClient) -> Send:
    """Rasa's REST channel: POST /webhooks/rest/webhook."""

    async def send(sender: str, text: str) -> List[Dict[str, Any]]:
        resp = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
        if resp.status_code in (502, 503, 504):
            raise TryAgain(f"HTTP {resp.status_code}")
        resp.raise_for_status()
        return resp.json()

    return send


def chat_sender(client: httpx.AsyncClient) -> Send:
    """The web app's /chat relay (what the widget calls); a `retry: true` error is a TryAgain."""

    async def send(sender: str, text: str) -> List[Dict[str, Any]]:
        resp = await client.post("/chat", json={"sender": sender, "message": text},
                                 headers={"Origin": str(client.base_url).rstrip("/")})
        if resp.status_code >= 500:
            try:
                retry = bool(resp.json().get("retry"))
            except ValueError:
                retry = True  # nginx's own 502 page
            if retry:
                raise TryAgain(f"HTTP {resp.status_code}")
        resp.raise_for_status()
        return resp.json()["messages"]

    return send


async def crowd(base_url: str, count: int, concurrency: int, tag: str, via: str = "chat", cap: float = 600,
                start_index: int = 0) -> List[Result]:
    """`count` visitors, at most `concurrency` at a time, each with its own sender id and persona."""
    known = questions()
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency + 5, max_keepalive_connections=concurrency + 5)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits, trust_env=False) as client:
        send = chat_sender(client) if via == "chat" else rest_sender(client)

        async def one(i: int) -> Result:
            async with sem:
                return await screen(send, f"{tag}-{i}", Persona(i, tag), known)

        return list(await asyncio.wait_for(asyncio.gather(*(one(start_index + i) for i in range(count))), cap))
