"""A simulated website visitor: plays one whole screening, as a person with the widget would.

It answers the question it was shown (read from the bot's words), gives each message an id, and
resends the same message (same id, `retry: true`) when the turn fails, as the widget's Retry button
does. Everything it sent is recorded so a test can compare it with what was stored. One driver for
the load and fault tests of both profiles (through the web app's /chat) and for `make bench`
(through Rasa's REST channel, `path=REST`).
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAT = "/chat"  # the web app's relay: {"messages": [...]}
REST = "/webhooks/rest/webhook"  # Rasa's REST channel: [...]
if str(ROOT) not in sys.path:  # run as a script from scripts/
    sys.path.insert(0, str(ROOT))
from bot.screening import catalogue  # noqa: E402

_DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
# The opening words of each question the form asks, as the visitor sees them.
PROMPTS: List[Tuple[str, str]] = [
    (name[len("utter_ask_") :], variant["text"][:40])
    for name, variants in (_DOMAIN.get("responses") or {}).items()
    if name.startswith("utter_ask_")
    for variant in variants
]
PROMPTS += [  # the questions the actions word (bot/screening/messages.py), first and second wording
    ("medications_confirmed", "Is that complete and correct?"),
    ("medications_confirmed", "Is this list of your medications complete and correct?"),
    ("medications_confirmed", "don't take any medications right now"),
    ("contact_wanted", "Would you still like someone from the clinic to contact you"),
    ("contact_wanted", "Should someone from the clinic get in touch with you?"),
]
REFERENCE = re.compile(r"\b(L-[A-Z0-9]{8})\b")
CONDITIONS = {
    "fibromyalgia": "fibromyalgia",
    "CRPS": "crps",
    "migraines": "migraine",
    "phantom limb pain": "phantom_limb_pain",
}
MEDICATIONS = {"gabapentin": ["gabapentin"], "none": [], "duloxetine": ["duloxetine"], "ibuprofen": ["ibuprofen"]}
YES_NO = catalogue.yes_no_slots()
# Words planted in every visitor's answers, so a test can scan logs and files for them.
PLANTED_TREATMENT = "quillowick"
PLANTED_NAME = "Zorvath"


@dataclass
class Profile:
    """What one visitor answers, and what the lead must then hold."""

    index: int
    answers: Dict[str, str]
    expected: Dict[str, Any]
    contact: Dict[str, str]

    @classmethod
    def make(cls, index: int, seed: int = 7) -> Profile:
        rnd = random.Random(seed * 100_003 + index)
        age = rnd.randint(25, 75)
        condition_text = rnd.choice(sorted(CONDITIONS))
        years = rnd.randint(1, 15)
        severity = rnd.randint(3, 10)
        meds = rnd.choice(sorted(MEDICATIONS))
        flagged = rnd.choice([None, None, "heart_condition", "seizure_history", "liver_disease"])
        answers = {
            "health_data_consent": "yes",
            "age": str(age),
            "condition": condition_text,
            "pain_duration_months": f"{years} years",
            "pain_severity": str(severity),
            "prior_treatments": f"physical therapy and {PLANTED_TREATMENT} sessions {index}",
            "medications": meds,
            "medications_confirmed": "yes",
        }
        expected: Dict[str, Any] = {
            "age": float(age),
            "condition": CONDITIONS[condition_text],
            "pain_duration_months": float(years * 12),
            "pain_severity": float(severity),
            "medications": MEDICATIONS[meds],
            "medications_confirmed": True,
        }
        for slot in YES_NO:
            answers[slot] = "yes" if slot == flagged else "no"
            expected[slot] = slot == flagged
        tag = "".join(chr(ord("a") + (index // 26**k) % 26) for k in (2, 1, 0))  # letters: names have no digits
        contact = {
            "full_name": f"Ada {PLANTED_NAME}{tag}",
            "email": f"ada.{PLANTED_NAME.lower()}{tag}@example.com",
            "phone": f"(303) 555-{1000 + index:04d}",
            "preferred_contact_time": "weekday mornings",
            "contact_consent": "yes",
            "contact_wanted": "yes",
        }
        answers.update(contact)
        expected["outcome"] = "needs_review" if flagged else "qualified"
        return cls(index, answers, expected, contact)

    @property
    def planted(self) -> List[str]:
        """Strings that must never appear in a log or a raw database file."""
        return [
            self.contact["full_name"],
            self.contact["email"],
            f"555{1000 + self.index:04d}",
            f"555-{1000 + self.index:04d}",
            f"{PLANTED_TREATMENT} sessions {self.index}",
        ]


@dataclass
class Result:
    sender: str
    lead_id: Optional[str] = None
    turns: int = 0
    empty_replies: int = 0
    resends: int = 0
    latencies: List[float] = field(default_factory=list)
    sent: List[Tuple[str, str, str]] = field(default_factory=list)  # (message id, question slot, text)
    # (message id, HTTP status (0: no answer), error code or exception name) per failed attempt
    failed_attempts: List[Tuple[str, int, str]] = field(default_factory=list)
    error: Optional[str] = None

    def messages_failed_with(self, statuses: Tuple[int, ...]) -> int:
        """How many of this visitor's messages got at least one of these statuses ("please try again")."""
        return len({mid for mid, status, _ in self.failed_attempts if status in statuses})

    @property
    def failure_kinds(self) -> List[str]:
        """Each failed attempt as "status error", e.g. "502 assistant_error" or "0 ReadTimeout"."""
        return [f"{status} {error}" for _, status, error in self.failed_attempts]


def question_in(messages: List[Dict[str, Any]]) -> Optional[str]:
    """The question the visitor was just shown (the last one in the reply), if any."""
    found = None
    for message in messages:
        text = message.get("text") or ""
        for slot, prompt in PROMPTS:
            if prompt in text:
                found = slot
    return found


class Visitor:
    """One visitor on one web app (`base_url`), with a resend budget for failed turns."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        profile: Profile,
        tag: str,
        resend_for_s: float = 120.0,
        max_turns: int = 60,
        path: str = CHAT,
    ) -> None:
        self.client, self.profile, self.path = client, profile, path
        self.result = Result(sender=f"{tag}-{profile.index:03d}-{uuid.uuid4().hex[:10]}")
        self.resend_for_s, self.max_turns = resend_for_s, max_turns

    async def say(self, text: str, slot: str) -> List[Dict[str, Any]]:
        """Send one message; resend it (same id) while the turn fails, as the widget's Retry does."""
        message_id = "m-" + uuid.uuid4().hex
        self.result.sent.append((message_id, slot, text))
        deadline = time.monotonic() + self.resend_for_s
        attempt = 0
        while True:
            body = {"sender": self.result.sender, "message": text, "message_id": message_id, "retry": attempt > 0}
            started = time.perf_counter()
            try:
                resp = await self.client.post(self.path, json=body)
                status, payload = resp.status_code, resp.json()
                if self.path == REST and status == 200:
                    payload = {"messages": payload}
            except (httpx.HTTPError, ValueError) as exc:
                status, payload = 0, {"error": type(exc).__name__}
            if status == 200:
                self.result.latencies.append(time.perf_counter() - started)
                self.result.turns += 1
                messages = payload.get("messages") or []
                if not messages:
                    self.result.empty_replies += 1
                return messages
            if status not in (0, 429, 502, 503, 504) or time.monotonic() > deadline:
                raise RuntimeError(f"turn failed for good: HTTP {status} {payload.get('error')}")
            attempt += 1
            self.result.resends += 1
            self.result.failed_attempts.append(
                (message_id, status, str(payload.get("error") if isinstance(payload, dict) else "?"))
            )
            # As a person would: a moment before Retry, longer when asked to slow down.
            await asyncio.sleep(5.0 if status == 429 else min(3.0, 0.5 * attempt))

    async def run(self) -> Result:
        try:
            messages = await self.say("hi, am I a candidate for ketamine?", "opening")
            for _ in range(self.max_turns):
                reference = next(
                    (m.group(1) for msg in messages for m in [REFERENCE.search(msg.get("text") or "")] if m), None
                )
                if reference:
                    self.result.lead_id = reference
                    return self.result
                slot = question_in(messages)
                if slot is None:
                    shown = " | ".join((m.get("text") or "")[:80] for m in messages)
                    raise RuntimeError(f"no question recognised in the reply: {shown!r}")
                messages = await self.say(self.profile.answers[slot], slot)
            raise RuntimeError("the screening did not end within the turn budget")
        except Exception as exc:  # noqa: BLE001 - reported per visitor by the test
            self.result.error = f"{type(exc).__name__}: {exc}"
            return self.result


async def run_visitors(
    base_url: str,
    profiles: List[Profile],
    tag: str,
    concurrency: Optional[int] = None,
    resend_for_s: float = 120.0,
    path: str = CHAT,
) -> List[Result]:
    """Play every profile against `base_url`, at most `concurrency` at once (default: all at once)."""
    limit = asyncio.Semaphore(concurrency or len(profiles))
    limits = httpx.Limits(max_connections=len(profiles) + 10, max_keepalive_connections=len(profiles) + 10)
    async with httpx.AsyncClient(base_url=base_url, timeout=90, limits=limits) as client:

        async def one(profile: Profile) -> Result:
            async with limit:
                return await Visitor(client, profile, tag, resend_for_s, path=path).run()

        return await asyncio.gather(*(one(p) for p in profiles))


def p95_ms(results: List[Result]) -> float:
    """The 95th percentile of every turn's latency over a crowd, in ms (the load tests' one summary number)."""
    latencies = sorted(t for r in results for t in r.latencies)
    return 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")


def check_lead(lead: Optional[Dict[str, Any]], profile: Profile) -> List[str]:
    """How a stored lead differs from what the visitor answered (empty: it matches exactly)."""
    if lead is None:
        return ["no lead stored"]
    problems = []
    answers = lead.get("answers") or {}
    for slot, value in profile.expected.items():
        stored = lead.get("outcome") if slot == "outcome" else answers.get(slot)
        if slot == "medications":
            stored = sorted(stored or [])
            value = sorted(value)
        if stored != value:
            problems.append(f"{slot}: stored {stored!r}, answered {value!r}")
    if lead.get("email") != profile.contact["email"]:
        problems.append("email differs")
    if lead.get("full_name") != profile.contact["full_name"]:
        problems.append("name differs")
    return problems


def check_tracker_events(events: List[Dict[str, Any]], result: Result) -> List[str]:
    """Every message the visitor sent is in the tracker exactly once, on the question it answered."""
    problems = []
    user_events = [e for e in events if e.get("event") == "user"]
    by_id: Dict[str, List[Dict[str, Any]]] = {}
    for event in user_events:
        by_id.setdefault(event.get("message_id"), []).append(event)
    for message_id, slot, _text in result.sent:
        count = len(by_id.get(message_id, []))
        if count != 1:
            problems.append(f"message for {slot} stored {count} times")
    # The question open when each answer arrived: the last requested_slot set before it.
    requested = None
    expected_slot = {mid: slot for mid, slot, _ in result.sent}
    for event in events:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif event.get("event") == "user":
            want = expected_slot.get(event.get("message_id"))
            if want not in (None, "opening") and requested != want:
                problems.append(f"answer for {want} arrived while {requested} was open")
    return problems
