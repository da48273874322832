"""Limits at the edge (issue 11), over real HTTP against `python -m bot.web` with Rasa unreachable.

Rate limits come before Rasa is called, so an unreachable Rasa (502) is enough to count them.
"""

from __future__ import annotations

import httpx
import pytest

from bot.web import edge
from tests.support.services import WebServer, subprocess_env

SENDER = "visitor-edge-0001"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("edge")
    env = subprocess_env(
        f"sqlite:///{tmp / 'leads.db'}",
        CHAT_RATE_LIMIT_CONVERSATION="30/minute",
        CHAT_RATE_LIMIT_IP="45/minute",
        LOGIN_RATE_LIMIT_IP="10/minute",
        TRUSTED_PROXIES="0",
        ALLOWED_ORIGINS="https://clinic.example",
        PUBLIC_ORIGIN="",
        FRAME_ANCESTORS="",
    )
    server = WebServer(env, tmp / "web.log").start()
    yield server
    server.stop()


def chat(web, sender: str = SENDER, message="hello", **headers) -> httpx.Response:
    return httpx.post(web.url + "/chat", json={"sender": sender, "message": message}, headers=headers, timeout=30)


def test_security_headers_on_every_page_and_head(web):
    for method, path in (
        ("GET", "/"),
        ("HEAD", "/"),
        ("GET", "/healthz"),
        ("GET", "/staff/login"),
        ("GET", "/widget.js"),
    ):
        resp = httpx.request(method, web.url + path)
        assert resp.status_code == 200, (method, path)
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert resp.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors" in resp.headers["content-security-policy"]
    page = httpx.get(web.url + "/")
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
    assert 'http-equiv="Content-Security-Policy"' not in page.text  # the header is the policy now
    assert "frame-ancestors 'none'" in httpx.get(web.url + "/staff/login").headers["content-security-policy"]


def test_origin_is_judged_against_settings_not_the_host_header(web):
    forged = chat(web, "visitor-origin-01", Origin="http://evil.example", Host="evil.example")
    assert forged.status_code == 403 and forged.json()["error"] == "origin_not_allowed"
    own = chat(web, "visitor-origin-02", Origin=web.url)  # PUBLIC_ORIGIN unset: http://127.0.0.1:WEB_PORT
    assert own.status_code != 403
    listed = chat(web, "visitor-origin-03", Origin="https://clinic.example")
    assert listed.status_code != 403 and listed.headers["access-control-allow-origin"] == "https://clinic.example"


@pytest.mark.parametrize(
    "body",
    [
        b'{"sender": "visitor-utf-0001", "message": "pain \\ud800 here"}',  # lone surrogate escape
        b'{"sender": "visitor-utf-0001", "message": "\\udfff"}',
        b'{"sender": "visitor-utf-0001", "message": "caf\xe9 \xff"}',  # not UTF-8
    ],
)
def test_undecodable_text_is_a_clear_400(web, body):
    resp = httpx.post(web.url + "/chat", content=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["error"] == "bad_encoding" and "retype" in resp.json()["message"]
    assert "Traceback" not in web.log()


def test_too_long_is_429_with_a_kind_message_and_no_retry(web):
    resp = chat(web, "visitor-long-0001", "x" * 2001)
    assert resp.status_code == 429 and resp.json()["error"] == "message_too_long"
    assert "2000" in resp.json()["message"] and resp.json()["retry"] is False and "Retry-After" not in resp.headers
    paste = httpx.post(web.url + "/chat", json={"sender": "visitor-long-0002", "message": "y" * 20_000})  # 20 KB body
    assert paste.status_code == 429 and paste.json()["error"] == "message_too_long"


def test_conversation_then_ip_rate_limit(web):
    codes = [chat(web, "visitor-rate-0001").status_code for _ in range(30)]
    assert 429 not in codes
    limited = chat(web, "visitor-rate-0001")
    assert limited.status_code == 429
    body = limited.json()
    assert body["error"] == "rate_limited" and body["message"] == edge.SLOW_DOWN
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # Another conversation from the same IP goes on until the per-IP limit (45/minute here) ...
    others = [chat(web, f"visitor-rate-{i:04d}").status_code for i in range(2, 40)]
    assert 429 in others
    # ... and X-Forwarded-For does not get around it while no trusted proxy is configured.
    spoofed = chat(web, "visitor-rate-9999", **{"X-Forwarded-For": "203.0.113.7"})
    assert spoofed.status_code == 429


def test_staff_login_rate_limit(web):
    codes = [
        httpx.post(web.url + "/staff/login", data={"username": "x", "password": "y"}).status_code for _ in range(10)
    ]
    assert 429 not in codes
    resp = httpx.post(web.url + "/staff/login", data={"username": "x", "password": "y"})
    assert resp.status_code == 429 and int(resp.headers["retry-after"]) >= 1
    assert "wait a minute" in resp.text
