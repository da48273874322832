"""The visitor page and chat widget in a real browser (Playwright + Debian's Chromium, headless).

Two groups:
- `real_stack` tests: the whole product (Rasa + actions + web app, from the `stack` fixture in
  tests/support/stack.py). These are the issue's acceptance tests. Bot wording is matched loosely.
- `fake_rasa` tests (names start with test_dev_): DEV-ONLY stand-ins. They run the real web app
  against a tiny fake Rasa REST server started by the test, to check the widget's own behaviour
  (buttons, retry, storage, CORS, accessibility) without the trained bot. They do not prove the bot works.

Every browser context routes all requests through a guard that fails the test if any request
leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Callable, Optional

import httpx
import pytest
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core-4.10.2" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"  # where the README points

LEAD_RE = re.compile(r"\bL-[A-Z0-9]{8}\b")
BOT_TIMEOUT_MS = 60_000


# ---------------------------------------------------------------------------------------------
# Page helper
# ---------------------------------------------------------------------------------------------


class Chat:
    """Drives the widget the way a visitor does: through visible, labelled controls."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.log = page.get_by_role("log", name="Conversation")
        self.input = page.get_by_label("Your message")
        self.bots = page.locator(".ccw-bot")
        self.users = page.locator(".ccw-user")
        self.choices = page.get_by_role("group", name="Suggested answers")
        self.alert = page.locator(".ccw-status-box")
        self.retry = page.get_by_role("button", name="Retry")

    def open(self) -> None:
        self.page.get_by_role("button", name="Chat with us").click()
        expect(self.input).to_be_visible()

    def bot_count(self) -> int:
        return self.bots.count()

    def wait_idle(self, timeout: int = BOT_TIMEOUT_MS) -> None:
        expect(self.log).to_have_attribute("aria-busy", "false", timeout=timeout)

    def wait_new_bot(self, before: int, timeout: int = BOT_TIMEOUT_MS) -> str:
        """Wait until the reply to the last message has arrived; return the newest bot text."""
        expect(self.bots).not_to_have_count(before, timeout=timeout)
        self.wait_idle(timeout)
        return self.last_bot_text()

    def last_bot_text(self) -> str:
        return self.bots.last.locator(".ccw-text").inner_text()

    def button_titles(self) -> list:
        if not self.choices.is_visible():
            return []
        return [t.strip() for t in self.choices.get_by_role("button").all_inner_texts()]

    def say(self, text: str) -> str:
        before = self.bot_count()
        self.input.fill(text)
        self.input.press("Enter")
        return self.wait_new_bot(before)

    def click(self, title_re: str) -> str:
        before = self.bot_count()
        self.choices.get_by_role("button", name=re.compile(title_re, re.I)).first.click()
        return self.wait_new_bot(before)

    def sender(self) -> str:
        return self.page.evaluate(
            "() => { for (let i = 0; i < sessionStorage.length; i++) { const k = sessionStorage.key(i);"
            " if (k.endsWith(':sender')) return JSON.parse(sessionStorage.getItem(k)); } return null; }"
        )


def run_axe(page: Page, context: str) -> list:
    """Inject the vendored axe-core and return serious/critical violations (WCAG 2.1 A/AA + best practice)."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: see tests/browser/vendor/axe-core-4.10.2/VENDORED.md"
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}));
        }"""
    )
    return [dict(v, where=context) for v in result if v["impact"] in ("serious", "critical")]


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


# ---------------------------------------------------------------------------------------------
# Real-stack conversation driver (loose matching on the bot's words)
# ---------------------------------------------------------------------------------------------

PERSON = {"name": "Jordan Rivers", "email": "jordan.rivers@example.com", "phone": "303-555-0142"}


def answer(chat: Chat, text: str, buttons: list) -> str:
    """Pick the visitor's next answer from the newest bot message; returns the new bot text."""
    low = text.lower()
    titles = [b.lower() for b in buttons]
    if any(t.startswith("not sure") for t in titles):  # the yes/no/not sure safety questions
        return chat.click(r"^no$")
    if any(t.startswith("yes") for t in titles):  # consent, read-back, contact consent
        return chat.click(r"^yes")
    for keys, reply in (
        (("how old", "your age"), "45"),
        (("condition",), "fibromyalgia"),
        (("how long",), "3 years"),
        (("0 (none)", "0 to 10", "0-10", "how bad"), "7"),
        (("treatments",), "physical therapy and nerve blocks"),
        (("medication",), "ibuprofen"),
        (("email",), PERSON["email"]),
        (("phone",), PERSON["phone"]),
        (("name",), PERSON["name"]),
        (("time", "when"), "mornings"),
    ):
        if any(k in low for k in keys):
            return chat.say(reply)
    if buttons:
        return chat.click("^" + re.escape(buttons[0]) + "$")
    raise AssertionError(f"the test does not know how to answer: {text!r}")


def drive(chat: Chat, until: Callable[[str], bool], max_turns: int = 40) -> str:
    text = chat.last_bot_text()
    for _ in range(max_turns):
        if until(text):
            return text
        text = answer(chat, text, chat.button_titles())
    raise AssertionError(f"screening did not reach its goal in {max_turns} turns; last bot text: {text!r}")


def finished(text: str) -> bool:
    return bool(LEAD_RE.search(text))


def start_real(new_context, stack, **ctx_kwargs):
    ctx = new_context(**ctx_kwargs)
    page = ctx.new_page()
    page.goto(stack.web_url + "/")
    chat = Chat(page)
    chat.open()
    chat.wait_new_bot(0)
    return ctx, page, chat


def lead_for(stack, sender: str, lead_text: str) -> dict:
    lead_id = LEAD_RE.search(lead_text).group(0)
    deadline = time.time() + 10
    while time.time() < deadline:
        lead = stack.leads.get(lead_id)
        if lead:
            assert lead["conversation_id"] == sender
            return lead
        time.sleep(0.2)
    raise AssertionError(f"lead {lead_id} was announced but not stored")


# ---------------------------------------------------------------------------------------------
# Real-stack acceptance tests (issue 4)
# ---------------------------------------------------------------------------------------------


@pytest.mark.real_stack
def test_whole_screening_ends_with_stored_lead(real_stack, new_context, guard):
    ctx, page, chat = start_real(new_context, real_stack)
    text = drive(chat, finished, max_turns=45)
    lead = lead_for(real_stack, chat.sender(), text)
    assert lead["full_name"] == PERSON["name"]
    assert lead["email"] == PERSON["email"]
    assert lead["contact_consent"] is True
    # Buttons were sent as payloads but shown as their titles.
    users = chat.users.all_inner_texts()
    assert not any(u.strip().lower().endswith(("/affirm", "/deny")) for u in users)
    assert guard.seen and not guard.blocked


@pytest.mark.real_stack
def test_reload_mid_form_shows_same_question_then_finishes(real_stack, new_context):
    ctx, page, chat = start_real(new_context, real_stack)
    drive(chat, lambda t: "condition" in t.lower())
    question = chat.last_bot_text()
    sender = chat.sender()
    page.reload()
    chat = Chat(page)
    expect(chat.input).to_be_visible()  # the chat stays open after a reload in the same tab
    expect(chat.bots.last.locator(".ccw-text")).to_have_text(question)
    assert chat.sender() == sender
    assert page.evaluate("() => localStorage.length") == 0
    text = drive(chat, finished, max_turns=45)
    lead_for(real_stack, sender, text)


@pytest.mark.real_stack
def test_keyboard_only_first_questions(real_stack, new_context):
    ctx = new_context()
    page = ctx.new_page()
    page.goto(real_stack.web_url + "/")
    keyboard_first_questions(page, Chat(page))


@pytest.mark.real_stack
def test_server_stopped_mid_conversation_then_message_goes_through(real_stack, new_context):
    ctx, page, chat = start_real(new_context, real_stack)
    drive(chat, lambda t: "how old" in t.lower())
    before = chat.bot_count()
    real_stack.stop_rasa()
    try:
        chat.input.fill("45")
        chat.input.press("Enter")
        expect(chat.alert).to_be_visible(timeout=45_000)
        expect(chat.retry).to_be_visible()
        expect(chat.users.last).to_contain_text("45")
        expect(chat.users.last).to_contain_text("Not sent yet")
        assert chat.bot_count() == before
    finally:
        real_stack.start_rasa()
    deadline = time.time() + 120
    while chat.bot_count() == before:
        assert time.time() < deadline, "the message never went through after the server came back"
        if chat.retry.is_visible() and chat.retry.is_enabled():
            chat.retry.click()
        page.wait_for_timeout(1000)
    chat.wait_idle()
    expect(chat.alert).to_be_hidden()
    expect(chat.users.last).not_to_contain_text("Not sent yet")
    assert "condition" in chat.last_bot_text().lower()


@pytest.mark.real_stack
def test_axe_no_serious_or_critical_violations(real_stack, new_context):
    violations = []
    for width, height in ((1280, 800), (360, 740)):
        ctx = new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = ctx.new_page()
        page.goto(real_stack.web_url + "/")
        violations += run_axe(page, f"{width}px closed")
        chat = Chat(page)
        chat.open()
        chat.wait_new_bot(0)
        violations += run_axe(page, f"{width}px open with choices")
        page.get_by_role("button", name="Crisis help").click()
        violations += run_axe(page, f"{width}px crisis panel")
    assert not violations, json.dumps(violations, indent=2)


@pytest.mark.real_stack
def test_screenshots_360_and_1280(real_stack, new_context):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((360, 740), (1280, 800)):
        ctx, page, chat = start_real(new_context, real_stack, viewport={"width": width, "height": height})
        drive(chat, lambda t: "how long" in t.lower())
        chat.say("3 years")  # the next question (pain 0-10) shows answer buttons in the picture
        assert no_horizontal_scroll(page)
        path = SCREENSHOTS / f"chat-{width}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000


# ---------------------------------------------------------------------------------------------
# Shared by the real and dev keyboard tests
# ---------------------------------------------------------------------------------------------


def focused_text(page: Page) -> str:
    return page.evaluate(
        "() => (document.activeElement && (document.activeElement.innerText || document.activeElement.getAttribute('aria-label') || '')).trim()"
    )


def tab_to(page: Page, pattern: str, key: str = "Tab", limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        if re.search(pattern, focused_text(page), re.I):
            return
    raise AssertionError(f"keyboard focus never reached {pattern!r}")


def assert_focus_visible(page: Page) -> None:
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style[0] != "none" and style[1] != "0px", f"no visible focus indicator: {style}"


def keyboard_first_questions(page: Page, chat: Chat) -> None:
    """Open the chat, consent and answer the first questions with the keyboard alone."""
    page.locator("body").focus()
    tab_to(page, r"^.?\s*chat with us$")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(chat.input).to_be_focused()
    chat.wait_new_bot(0)
    assert any(t.lower().startswith("yes") for t in chat.button_titles())
    before = chat.bot_count()
    tab_to(page, r"^yes", key="Shift+Tab", limit=10)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(chat.input).to_be_focused()
    chat.wait_new_bot(before)
    for reply in ("45", "fibromyalgia"):
        before = chat.bot_count()
        page.keyboard.type(reply)
        page.keyboard.press("Enter")
        chat.wait_new_bot(before)
        expect(chat.users.last).to_contain_text(reply)
    # Escape closes the chat and returns focus to the launcher.
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Chat with us")).to_be_focused()


# ---------------------------------------------------------------------------------------------
# DEV-ONLY: widget behaviour against a fake Rasa REST server (stand-in while the bot is built)
# ---------------------------------------------------------------------------------------------


def dev_open(new_context, dev_web, **ctx_kwargs):
    ctx = new_context(**ctx_kwargs)
    page = ctx.new_page()
    page.goto(dev_web.url + "/")
    chat = Chat(page)
    chat.open()
    chat.wait_new_bot(0)
    return ctx, page, chat


@pytest.mark.fake_rasa
def test_dev_greets_on_open_and_buttons_show_title_not_payload(dev_web, rasa_fake, new_context):
    ctx, page, chat = dev_open(new_context, dev_web)
    sender = chat.sender()
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,64}", sender)
    assert rasa_fake.messages(sender) == ["/greet"]
    assert not chat.users.count(), "/greet must not be shown as the visitor's words"
    assert chat.button_titles() == ["Yes", "No"]
    chat.click("^Yes$")
    assert rasa_fake.messages(sender)[-1] == "/affirm"
    expect(chat.users.last).to_have_text(re.compile(r"Yes$"))
    expect(page.locator("body")).not_to_contain_text("/affirm")
    assert chat.button_titles() == [], "old choices disappear once answered"
    # The log is a polite live region, with labelled controls.
    expect(chat.log).to_have_attribute("aria-live", "polite")
    for name in ("Send", "Talk to a person", "Start over", "Delete my data", "Crisis help", "Close chat"):
        expect(page.get_by_role("button", name=name)).to_be_visible()


@pytest.mark.fake_rasa
def test_dev_choices_kept_when_a_note_follows_the_question(dev_web, rasa_fake, new_context):
    rasa_fake.script = lambda m: [
        {
            "text": "Do you have liver disease?",
            "buttons": [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}],
        },
        {"text": "(You can ask why I need to know.)"},
    ]
    ctx, page, chat = dev_open(new_context, dev_web)
    assert chat.button_titles() == ["Yes", "No"]
    chat.say("why?")
    assert chat.button_titles() == ["Yes", "No"]


@pytest.mark.fake_rasa
def test_dev_typing_indicator_while_waiting(dev_web, rasa_fake, new_context):
    ctx, page, chat = dev_open(new_context, dev_web)
    rasa_fake.delay = 1.5
    chat.input.fill("45")
    chat.input.press("Enter")
    expect(page.get_by_text("The assistant is typing")).to_be_visible()
    expect(chat.log).to_have_attribute("aria-busy", "true")
    chat.wait_idle()
    expect(page.get_by_text("The assistant is typing")).to_be_hidden()
    assert "condition" in chat.last_bot_text()


@pytest.mark.fake_rasa
def test_dev_reload_restores_conversation_in_session_storage_only(dev_web, rasa_fake, new_context):
    ctx, page, chat = dev_open(new_context, dev_web)
    chat.click("^Yes$")
    chat.say("45")
    sender, question = chat.sender(), chat.last_bot_text()
    page.reload()
    chat = Chat(page)
    expect(chat.input).to_be_visible()
    expect(chat.bots.last.locator(".ccw-text")).to_have_text(question)
    assert chat.sender() == sender
    assert rasa_fake.messages(sender).count("/greet") == 1, "a reload must not greet again"
    assert page.evaluate("() => localStorage.length") == 0
    assert ctx.cookies() == []
    # A new tab (new session) starts a new conversation.
    other = ctx.new_page()
    other.goto(dev_web.url + "/")
    assert Chat(other).sender() != sender


@pytest.mark.fake_rasa
def test_dev_network_error_shows_message_and_retry_resends_same_text(dev_web, rasa_fake, new_context):
    ctx, page, chat = dev_open(new_context, dev_web)
    sender = chat.sender()
    rasa_fake.stop()
    chat.input.fill("my words must not be lost")
    chat.input.press("Enter")
    expect(chat.alert).to_be_visible()
    expect(chat.alert).to_contain_text("Retry")
    expect(chat.users.last).to_contain_text("my words must not be lost")
    expect(chat.users.last).to_contain_text("Not sent yet")
    # It survives a reload while the server is still down.
    page.reload()
    chat = Chat(page)
    expect(chat.retry).to_be_visible()
    expect(chat.users.last).to_contain_text("my words must not be lost")
    rasa_fake.start()
    before = chat.bot_count()
    chat.retry.click()
    chat.wait_new_bot(before)
    expect(chat.alert).to_be_hidden()
    assert chat.last_bot_text() == "You said: my words must not be lost"
    assert rasa_fake.messages(sender).count("my words must not be lost") == 1
    assert chat.users.count() == 1


@pytest.mark.fake_rasa
def test_dev_offline_browser_keeps_text(dev_web, rasa_fake, new_context):
    ctx, page, chat = dev_open(new_context, dev_web)
    ctx.set_offline(True)
    chat.input.fill("sent while offline")
    chat.input.press("Enter")
    expect(chat.alert).to_contain_text("couldn't reach")
    ctx.set_offline(False)
    before = chat.bot_count()
    chat.input.fill("typed after")
    chat.input.press("Enter")  # sends the failed message first; the new text stays in the box
    chat.wait_new_bot(before)
    assert chat.last_bot_text() == "You said: sent while offline"
    expect(chat.input).to_have_value("typed after")


@pytest.mark.fake_rasa
def test_dev_talk_to_person_and_start_over(dev_web, rasa_fake, new_context):
    ctx, page, chat = dev_open(new_context, dev_web)
    sender = chat.sender()
    before = chat.bot_count()
    page.get_by_role("button", name="Talk to a person").click()
    chat.wait_new_bot(before)
    assert rasa_fake.messages(sender)[-1] == "/request_human"
    expect(chat.users.last).to_have_text(re.compile("Talk to a person$"))
    page.get_by_role("button", name="Start over").click()
    expect(chat.bots).to_have_count(1)
    chat.wait_idle()
    assert rasa_fake.messages(sender)[-1] == "/restart"
    assert chat.last_bot_text() == "Okay, let's start over."
    assert chat.users.count() == 0
    assert chat.button_titles() == ["Check my eligibility"]


@pytest.mark.fake_rasa
def test_dev_crisis_resources_one_tap_away(dev_web, rasa_fake, new_context):
    ctx = new_context(viewport={"width": 360, "height": 740})
    page = ctx.new_page()
    page.goto(dev_web.url + "/")
    panel = page.get_by_role("region", name=re.compile("in crisis, get help now", re.I))
    for state in ("closed", "open"):
        if state == "open":
            Chat(page).open()
        page.get_by_role("button", name="Crisis help").click()
        expect(panel).to_be_visible()
        expect(panel.get_by_role("link", name=re.compile("Call 988"))).to_have_attribute("href", "tel:988")
        expect(panel.get_by_role("link", name=re.compile("Text 988"))).to_have_attribute("href", "sms:988")
        expect(panel.get_by_role("link", name=re.compile("988lifeline.org"))).to_have_attribute(
            "href", re.compile(r"^https://988lifeline\.org/")
        )
        expect(panel.get_by_role("link", name=re.compile("911"))).to_have_attribute("href", "tel:911")
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()


@pytest.mark.fake_rasa
def test_dev_keyboard_only(dev_web, rasa_fake, new_context):
    ctx = new_context()
    page = ctx.new_page()
    page.goto(dev_web.url + "/")
    keyboard_first_questions(page, Chat(page))


@pytest.mark.fake_rasa
@pytest.mark.parametrize(
    "viewport", [{"width": 360, "height": 740}, {"width": 640, "height": 400}], ids=["360px", "1280x800-at-200pct-zoom"]
)
def test_dev_small_screens_and_zoom(dev_web, rasa_fake, new_context, viewport, tmp_path):
    ctx, page, chat = dev_open(new_context, dev_web, viewport=viewport)
    assert no_horizontal_scroll(page)
    for name in ("Send", "Talk to a person", "Start over", "Crisis help", "Yes", "No"):
        button = page.get_by_role("button", name=name, exact=True)
        expect(button).to_be_in_viewport()
    chat.click("^Yes$")
    chat.say("45")
    chat.say("some words")  # a reply with choices: the newest message must stay in view above them
    expect(chat.bots.last).to_be_in_viewport()
    expect(chat.input).to_be_in_viewport()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(tmp_path / f"dev-chat-{viewport['width']}.png"))


@pytest.mark.fake_rasa
def test_dev_axe_scan(dev_web, rasa_fake, new_context):
    violations = []
    for width, height in ((1280, 800), (360, 740)):
        ctx = new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        page = ctx.new_page()
        page.goto(dev_web.url + "/")
        violations += run_axe(page, f"{width}px closed")
        chat = Chat(page)
        chat.open()
        chat.wait_new_bot(0)
        violations += run_axe(page, f"{width}px open with choices")
        rasa_fake.stop()
        chat.input.fill("hello")
        chat.input.press("Enter")
        expect(chat.alert).to_be_visible()
        violations += run_axe(page, f"{width}px error state")
        rasa_fake.start()
        page.get_by_role("button", name="Crisis help").click()
        violations += run_axe(page, f"{width}px crisis panel")
    assert not violations, json.dumps(violations, indent=2)


@pytest.mark.fake_rasa
def test_dev_embedded_on_another_allowed_origin(dev_web, rasa_fake, new_context, guard):
    ctx = new_context()
    page = ctx.new_page()
    page.goto(dev_web.embed_url)
    chat = Chat(page)
    chat.open()
    chat.wait_new_bot(0)
    expect(page.get_by_role("heading", name=re.compile("Embedded Clinic"))).to_be_visible()
    assert any(u.startswith(dev_web.url + "/widget.css") for u in guard.seen)
    assert chat.say("45") == "What pain condition do you live with?"


@pytest.mark.fake_rasa
def test_dev_embedded_on_a_stranger_origin_is_refused_visibly(dev_web, rasa_fake, new_context):
    ctx = new_context()
    page = ctx.new_page()
    page.goto(dev_web.stranger_url)
    before = len(rasa_fake.received)
    Chat(page).open()
    expect(page.locator(".ccw-status-box")).to_be_visible()
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    assert len(rasa_fake.received) == before, "a page on an origin not allowed must not reach Rasa"


# ---------------------------------------------------------------------------------------------
# DEV-ONLY: the /chat relay over HTTP (no browser), against the fake Rasa
# ---------------------------------------------------------------------------------------------


def post(dev_web, body, origin: Optional[str] = None, raw: Optional[bytes] = None):
    headers = {"Content-Type": "application/json"}
    if origin:
        headers["Origin"] = origin
    content = raw if raw is not None else json.dumps(body).encode()
    return httpx.post(dev_web.url + "/chat", content=content, headers=headers, timeout=40, trust_env=False)


@pytest.mark.fake_rasa
def test_dev_chat_relay_validation_and_errors(dev_web, rasa_fake):
    ok = post(dev_web, {"sender": "test-sender-1", "message": "/greet"})
    assert ok.status_code == 200
    messages = ok.json()["messages"]
    assert messages[1]["buttons"] == [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    assert "recipient_id" not in messages[0]
    assert ("test-sender-1", "/greet") in rasa_fake.received

    for sender in ("short", "has space in it", "x" * 65, "semi;colon!", None, 12345678):
        r = post(dev_web, {"sender": sender, "message": "hi"})
        assert r.status_code == 400 and r.json()["error"] == "bad_sender", sender
    for message in ("", "   ", None, ["list"]):
        r = post(dev_web, {"sender": "test-sender-1", "message": message})
        assert r.status_code == 400 and r.json()["error"] == "empty_message"
    r = post(dev_web, {"sender": "test-sender-1", "message": "x" * 2001})
    assert r.status_code == 429 and r.json()["error"] == "message_too_long" and "2000" in r.json()["message"]
    assert post(dev_web, {"sender": "test-sender-1", "message": "x" * 2000}).status_code == 200
    r = post(dev_web, None, raw=b"not json")
    assert r.status_code == 400 and r.json()["error"] == "bad_json"

    rasa_fake.stop()
    r = post(dev_web, {"sender": "test-sender-1", "message": "hello"})
    assert r.status_code == 502
    assert r.json()["error"] == "assistant_unreachable" and r.json()["retry"] is True


@pytest.mark.fake_rasa
def test_dev_cors_allows_listed_and_own_origin_only(dev_web, rasa_fake):
    allowed = dev_web.embed_url.rstrip("/")
    stranger = dev_web.stranger_url.rstrip("/")
    body = {"sender": "cors-sender-1", "message": "/greet"}

    r = post(dev_web, body, origin=allowed)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == allowed
    r = post(dev_web, body, origin="https://clinic.example")
    assert r.headers["access-control-allow-origin"] == "https://clinic.example"
    r = post(dev_web, body, origin=dev_web.url)  # the page's own origin always works
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == dev_web.url

    before = len(rasa_fake.received)
    r = post(dev_web, body, origin=stranger)
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
    assert len(rasa_fake.received) == before, "a refused origin must never reach Rasa"

    pre = httpx.options(
        dev_web.url + "/chat",
        headers={
            "Origin": allowed,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        trust_env=False,
    )
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == allowed
    assert "POST" in pre.headers["access-control-allow-methods"]
    pre = httpx.options(
        dev_web.url + "/chat", headers={"Origin": stranger, "Access-Control-Request-Method": "POST"}, trust_env=False
    )
    assert "access-control-allow-origin" not in pre.headers

    js = httpx.get(dev_web.url + "/widget.js", headers={"Origin": allowed}, trust_env=False)
    assert js.status_code == 200 and js.headers["access-control-allow-origin"] == allowed
    assert "javascript" in js.headers["content-type"]
    js = httpx.get(dev_web.url + "/widget.js", headers={"Origin": stranger}, trust_env=False)
    assert "access-control-allow-origin" not in js.headers


@pytest.mark.fake_rasa
def test_dev_page_has_no_third_party_references(dev_web):
    """Belt and braces for the guard: nothing the page serves points a loader at another host."""
    html = httpx.get(dev_web.url + "/", trust_env=False).text
    js = httpx.get(dev_web.url + "/widget.js", trust_env=False).text
    css = httpx.get(dev_web.url + "/widget.css", trust_env=False).text
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=['\"]?(https?:)?//", html, re.I)
    assert "not medical advice" in html.lower()
    assert "url(" not in css and "@import" not in css
    assert "localStorage.setItem" not in js and "document.cookie" not in js
    urls = set(re.findall(r"https?://[^\s'\"]+", js.split("*/", 1)[1]))
    # The crisis link (followed only if the visitor taps it) and the SVG namespace (an identifier, never fetched).
    assert urls == {"https://988lifeline.org/chat/", "http://www.w3.org/2000/svg"}


@pytest.mark.real_stack
def test_delete_my_data_button_erases_the_lead_after_one_confirmation(real_stack, new_context):
    ctx, page, chat = start_real(new_context, real_stack)
    text = drive(chat, finished, max_turns=45)
    lead_for(real_stack, chat.sender(), text)
    lead_id = LEAD_RE.search(text).group(0)
    page.get_by_role("button", name="Delete my data").click()
    page.get_by_role("button", name="Yes, delete").click()
    expect(chat.bots.last.locator(".ccw-text")).to_contain_text("deleted", timeout=30000)
    assert real_stack.leads.get(lead_id) is None
