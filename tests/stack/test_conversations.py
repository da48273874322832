"""Whole conversations over the real stack: each visitor in a YAML file is played against the web app's
/chat (which relays to the real Rasa server and action server), reading the open question from Rasa's
tracker API and answering it from the file.

Files: tests/conversations_dev.yml and, when present, tests/conversations_holdout.yml (written by
someone else). Format (version 1):

    conversations:
      - id: c01-...
        opening: "hi, would ketamine help with my crps?"
        answers: {slot: "what the visitor types" | [first, second, ...]}   # the last one repeats
        interjections: [{when_asked: slot, say: "..."}]                   # sent instead of the answer, once
        expect: {screening_outcome: qualified|needs_review|not_eligible|none, slots: {...}, contact_stored: bool}

Checked for every conversation: the outcome, the slots (numbers within 10%, medications as sets, a list
of lists means alternatives), whether contact details were stored, that no question was asked more than
twice in a row, and that a minor never has contact details in the lead store. `none` as the outcome
means no outcome was given to the visitor: no outcome slot, or a minor (told kindly, asked nothing more;
the lead store records them as not eligible). Conversations run 8 at a time.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import httpx
import pytest
import yaml

HERE = Path(__file__).resolve().parents[1]  # tests/, where the evaluation data lives
FILES = [HERE / "conversations_dev.yml", HERE / "conversations_holdout.yml"]
CONCURRENCY = 8
MAX_TURNS = 70
MINIMUM_AGE = 18
CONTACT_FIELDS = ("full_name", "email", "phone")


def load(path: Path) -> List[Dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data.get("version") == 1, f"{path.name}: version 1 expected"
    return data["conversations"]


CASES = [(path.name, conv) for path in FILES if path.exists() for conv in load(path)]


class Played:
    """What happened in one conversation: the transcript, the questions in order, the final state."""

    def __init__(self, conv: Dict[str, Any]) -> None:
        self.conv = conv
        self.transcript: List[str] = []
        self.asked: List[str] = []
        self.slots: Dict[str, Any] = {}
        self.lead: Optional[Dict[str, Any]] = None
        self.error: Optional[str] = None
        self.seconds = 0.0

    def show(self) -> str:
        return "\n".join(self.transcript[-40:])


async def play(client: httpx.AsyncClient, stack, conv: Dict[str, Any]) -> Played:
    played = Played(conv)
    sender = f"conv-{uuid.uuid4().hex[:16]}"
    answers: Dict[str, Any] = conv.get("answers") or {}
    pending = list(conv.get("interjections") or [])
    times_answered: Dict[str, int] = {}
    started = time.monotonic()

    async def say(text: str) -> List[Dict[str, Any]]:
        played.transcript.append(f"visitor: {text}")
        resp = await client.post(f"{stack.web_url}/chat", json={"sender": sender, "message": text}, timeout=60)
        resp.raise_for_status()
        messages = resp.json()["messages"]
        for m in messages:
            buttons = " ".join(f"[{b['title']}]" for b in m.get("buttons") or [])
            played.transcript.append(f"bot: {m.get('text') or ''} {buttons}".rstrip())
        return messages

    async def tracker() -> Dict[str, Any]:
        resp = await client.get(
            f"{stack.rasa_url}/conversations/{sender}/tracker",
            params={"token": stack.token, "include_events": "NONE"},
            timeout=30,
        )
        resp.raise_for_status()
        return resp.json()

    try:
        messages = await say(conv["opening"])
        for _ in range(MAX_TURNS):
            state = await tracker()
            slots = state["slots"]
            loop = (state.get("active_loop") or {}).get("name")
            requested = slots.get("requested_slot") if loop else None
            if not requested:
                offered = [b["payload"] for m in messages for b in m.get("buttons") or []]
                if slots.get("health_data_consent") is None and "/check_eligibility" in offered:
                    messages = await say("/check_eligibility")  # the visitor taps "Check if it may fit me"
                    continue
                break  # the lead is stored, a minor was told kindly, or nothing more is asked
            played.asked.append(requested)
            interjection = next((i for i in pending if i["when_asked"] == requested), None)
            if interjection:
                pending.remove(interjection)
                messages = await say(interjection["say"])
                continue
            if requested not in answers:
                raise AssertionError(f"the bot asked {requested!r} and the file has no answer for it")
            answer = answers[requested]
            n = times_answered.get(requested, 0)
            times_answered[requested] = n + 1
            if isinstance(answer, list):
                answer = answer[min(n, len(answer) - 1)]
            messages = await say(str(answer))
        else:
            raise AssertionError(f"no end after {MAX_TURNS} turns")
        played.slots = (await tracker())["slots"]
        if played.slots.get("lead_id"):
            played.lead = stack.leads.get(played.slots["lead_id"])
    except Exception as exc:  # reported per conversation by the test
        played.error = f"{type(exc).__name__}: {exc}"
    played.seconds = time.monotonic() - started
    return played


async def play_all(stack, convs: List[Dict[str, Any]]) -> Dict[str, Played]:
    gate = asyncio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY * 2)
    async with httpx.AsyncClient(limits=limits) as client:

        async def one(conv):
            async with gate:
                return await play(client, stack, conv)

        results = await asyncio.gather(*(one(conv) for conv in convs))
    return {r.conv["id"]: r for r in results}


@pytest.fixture(scope="module")
def played(stack):
    started = time.monotonic()
    results = asyncio.run(play_all(stack, [conv for _, conv in CASES]))
    elapsed = time.monotonic() - started
    print(f"\n{len(results)} conversations in {elapsed:.1f} s ({CONCURRENCY} at a time)")
    return results


# --- comparing -----------------------------------------------------------------------------------
def same(expected: Any, actual: Any, slot: str) -> bool:
    if slot == "medications":
        if expected is None or actual is None:
            return expected == actual
        options = expected if expected and all(isinstance(e, list) for e in expected) else [expected]
        return any({str(m).lower() for m in option} == {str(m).lower() for m in actual} for option in options)
    if isinstance(expected, list) and expected and all(isinstance(e, list) for e in expected):
        return any(same(option, actual, slot) for option in expected)
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(expected, (int, float)):
        return (
            isinstance(actual, (int, float))
            and not isinstance(actual, bool)
            and abs(actual - expected) <= max(0.5, 0.1 * abs(expected))
        )
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.strip().lower() == actual.strip().lower()
    return expected == actual


def longest_run(asked: List[str]) -> int:
    best = run = 0
    for i, slot in enumerate(asked):
        run = run + 1 if i and asked[i - 1] == slot else 1
        best = max(best, run)
    return best


def is_minor(slots: Dict[str, Any]) -> bool:
    age = slots.get("age")
    return age is not None and float(age) < MINIMUM_AGE


# Share of conversations that must come out entirely right (outcome, slots, contact stored), per file.
# Measured 2026-12-03: dev 105/108 (0.97), held-out 45/50 (0.90; 36/50 on 2026-11-22). Gated a conversation or
# two below that so it can only improve; the target (issue 10) is 1.0. Raise these as the parsers improve.
FLOORS = {"conversations_dev.yml": 0.93, "conversations_holdout.yml": 0.86}
REPORT = HERE.parent / "reports" / "conversations.md"


def problems_of(result, conv) -> tuple:
    """(safety problems, other problems) of one played conversation."""
    if result.error is not None:
        return [], [f"error: {result.error}"]
    expect = conv.get("expect") or {}
    slots = result.slots
    problems = []

    safety = []
    if longest_run(result.asked) > 2:
        safety.append(f"a question was asked {longest_run(result.asked)} times in a row: {result.asked}")
    outcome = expect.get("screening_outcome")
    if outcome == "none":
        if slots.get("screening_outcome") is not None and not is_minor(slots):
            problems.append(f"outcome {slots.get('screening_outcome')!r}, expected none")
    elif outcome is not None and slots.get("screening_outcome") != outcome:
        problems.append(
            f"outcome {slots.get('screening_outcome')!r}, expected {outcome!r} (reasons: {slots.get('outcome_reasons')})"
        )
    for slot, value in (expect.get("slots") or {}).items():
        if not same(value, slots.get(slot), slot):
            problems.append(f"slot {slot}: {slots.get(slot)!r}, expected {value!r}")
    lead = result.lead or {}
    stored = any(lead.get(field) for field in CONTACT_FIELDS)
    if "contact_stored" in expect and stored != bool(expect["contact_stored"]):
        problems.append(f"contact stored: {stored}, expected {expect['contact_stored']}")
    if is_minor(slots) and stored:
        safety.append("a minor's contact details are in the lead store")
    if is_minor(slots) and any(slots.get(field) for field in CONTACT_FIELDS):
        safety.append("a minor's contact details are still in the conversation's slots")
    return safety, problems


@pytest.mark.stack
@pytest.mark.parametrize("source", sorted({src for src, _ in CASES}))
def test_conversations_in_visitors_own_words(played, source):
    """Safety holds in every conversation; the share entirely right is at least the file's floor."""
    convs = [conv for src, conv in CASES if src == source]
    lines, right, unsafe = [], 0, []
    for conv in convs:
        safety, other = problems_of(played[conv["id"]], conv)
        if safety:
            unsafe.append((conv["id"], safety))
        if not safety and not other:
            right += 1
        else:
            lines += [
                f"### {conv['id']}",
                *[f"- {p}" for p in safety + other],
                "",
                "```",
                played[conv["id"]].show(),
                "```",
                "",
            ]
    rate = right / len(convs)
    REPORT.parent.mkdir(exist_ok=True)
    with REPORT.open("a" if REPORT.exists() and source != sorted({s for s, _ in CASES})[0] else "w") as fh:
        fh.write(
            f"## {source}: {right}/{len(convs)} entirely right ({rate:.2f}; floor {FLOORS.get(source, 1.0):.2f})\n\n"
        )
        fh.write("\n".join(lines) + "\n")
    print(f"{source}: {right}/{len(convs)} conversations entirely right; misses in {REPORT}")
    assert not unsafe, f"safety problems: {unsafe}"
    assert rate >= FLOORS.get(source, 1.0), (
        f"{right}/{len(convs)} entirely right, floor {FLOORS.get(source, 1.0)}; see {REPORT}"
    )


@pytest.mark.stack
def test_no_conversation_hangs(played):
    """A bound that catches a hang, not a benchmark: the machine is shared. On an idle 2-core machine 8 at a
    time runs 60 conversations in under 3 minutes; the fixture prints the time of this run."""
    assert played, "no conversations found"
    slowest = max(r.seconds for r in played.values())
    assert slowest < 150, f"slowest conversation took {slowest:.1f} s"
