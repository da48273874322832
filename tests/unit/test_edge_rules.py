"""The edge's pure rules (issue 11): which client IP to trust, which typed payloads pass. Over HTTP: tests/integration/test_edge.py."""

from __future__ import annotations

from bot.web import edge


def test_client_ip_trusts_forwarded_for_only_when_told():
    class Req:
        ip = "10.0.0.2"
        headers = {"x-forwarded-for": "198.51.100.1, 203.0.113.9"}

    assert edge.client_ip(Req, 0) == "10.0.0.2"
    assert edge.client_ip(Req, 1) == "203.0.113.9"
    assert edge.client_ip(Req, 2) == "198.51.100.1"


def test_known_payloads_and_neutralising():
    known = edge.known_payloads()
    for payload in ("/greet", "/restart", "/affirm", "/deny", "/request_human", "/check_eligibility", "/faq_cost"):
        assert payload in known
    assert all(p.startswith("/") for p in known)
    assert edge.neutralise_payload("/affirm", known) == "/affirm"
    assert edge.neutralise_payload('/inform{"age": 99}', known) == 'inform{"age": 99}'
    assert edge.neutralise_payload(" //restart_now", known) == "restart_now"
    assert edge.neutralise_payload("I am 45", known) == "I am 45"
