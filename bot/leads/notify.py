"""Staff notifications: what a message says, and the SMTP and webhook clients that carry it.

Minimum necessary by default: a notification names the lead, its status, its urgency and a
dashboard link, never the health answers, unless the clinic sets
`notifications.include_health_summary: true` in clinic_policy.yml. Both clients send a stable
idempotency key (email Message-ID, webhook Idempotency-Key header) so a receiver can drop the
duplicate the outbox may send after a crash between send and record.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Dict, List, Mapping

import aiosmtplib
import httpx

from bot.leads.answers import answer_rows
from bot.screening import catalogue
from bot.settings import NotifyConfig, SmtpConfig  # the settings' notify section (SMTP_*, WEBHOOK_*)

OUTCOME_LABELS = {"qualified": "qualified", "needs_review": "needs clinician review", "not_eligible": "not eligible"}


@dataclass
class Notification:
    subject: str
    text: str
    payload: Dict[str, Any] = field(default_factory=dict)


def health_summary(lead: Mapping[str, Any]) -> List[str]:
    """The opt-in summary lines (only when the clinic policy turns it on): every answer as the dashboard shows it."""
    findings = lead.get("medications") or []
    lines = []
    for r in answer_rows(lead):
        if r.kind == catalogue.MEDICATIONS and findings:  # each medication on its line, with its class and flag
            lines += [
                f"Medication: {m.get('name')} - {m.get('class_label') or 'unrecognised'} ({m.get('outcome')})"
                for m in findings
            ]
        else:
            lines.append(f"{r.label}: {r.shown}")
    for reason in lead.get("reasons") or []:
        lines.append(f"Reason: {reason}")
    name = lead.get("full_name") or "not given"
    lines.append(
        f"Contact: {name}, {lead.get('phone') or '-'}, {lead.get('email') or '-'}, best time {lead.get('preferred_contact_time') or '-'}"
    )
    return lines


def render(
    lead: Mapping[str, Any], base_url: str, include_health_summary: bool = False, escalation: bool = False
) -> Notification:
    """Build the notification for a lead as it is now (rendered at send time, so it is current)."""
    lead_id = lead["id"]
    url = f"{base_url}/staff/leads/{lead_id}"
    outcome = OUTCOME_LABELS.get(lead.get("outcome") or "", "no screening result yet")
    urgent = bool(lead.get("urgent"))
    asked = bool(lead.get("human_requested"))
    if urgent:
        subject = f"URGENT: lead {lead_id} used crisis language - call back now"
        first = f"URGENT: lead {lead_id} used crisis language in the chat. Call back now."
    elif asked:
        subject = f"Lead {lead_id} asked to talk to a person"
        first = f"Lead {lead_id} asked to talk to a person."
    else:
        subject = f"New lead {lead_id}: {outcome}"
        first = f"New lead {lead_id}: {outcome}."
    lines = [
        first,
        f"Screening result: {outcome}",
        f"Status: {lead.get('status', 'new')}",
        f"Urgent: {'yes' if urgent else 'no'}",
        f"Asked for a person: {'yes' if asked else 'no'}",
        f"Open the lead: {url}",
    ]
    if escalation:
        lines.insert(1, "This lead was already sent to you and has since been flagged urgent.")
    if include_health_summary:
        lines += [""] + health_summary(lead)
    text = "\n".join(lines)
    payload = {
        "text": text,
        "lead_id": lead_id,
        "status": lead.get("status", "new"),
        "outcome": lead.get("outcome"),
        "urgent": urgent,
        "human_requested": asked,
        "url": url,
    }
    return Notification(subject=subject, text=text, payload=payload)


def message_id(key: str, sender: str) -> str:
    """A Message-ID derived from the idempotency key, so a re-send is recognisably the same mail."""
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


class EmailClient:
    """SMTP (STARTTLS, implicit TLS or plain on a trusted network) via aiosmtplib."""

    channel = "email"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    async def send(self, key: str, note: Notification) -> None:
        cfg = self.config
        msg = EmailMessage()
        msg["From"] = cfg.sender
        msg["To"] = ", ".join(cfg.recipients)
        msg["Subject"] = note.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = message_id(key, cfg.sender)
        msg["X-Idempotency-Key"] = key
        if note.payload.get("urgent"):
            msg["X-Priority"] = "1"
            msg["Importance"] = "high"
        msg.set_content(note.text)
        await aiosmtplib.send(
            msg,
            hostname=cfg.host,
            port=cfg.port,
            username=cfg.username or None,
            password=cfg.password or None,
            use_tls=cfg.security == "tls",
            start_tls=True if cfg.security == "starttls" else False,
            validate_certs=cfg.validate_certs,
            cert_bundle=cfg.ca_file or None,
            timeout=cfg.timeout,
        )


class WebhookError(RuntimeError):
    """The receiver answered with a non-2xx status (retried by the outbox)."""


class WebhookClient:
    """JSON POST with a Slack-compatible `text` field; optional HMAC-SHA256 signature header."""

    channel = "webhook"

    def __init__(self, url: str, secret: str = "", timeout: float = 10.0) -> None:
        self.url, self.secret, self.timeout = url, secret, timeout

    async def send(self, key: str, note: Notification) -> None:
        body = json.dumps(dict(note.payload, idempotency_key=key)).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if self.secret:
            headers["X-Signature-SHA256"] = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            resp = await client.post(self.url, content=body, headers=headers)
        if not 200 <= resp.status_code < 300:
            raise WebhookError(f"webhook answered HTTP {resp.status_code}")


def make_senders(config: NotifyConfig) -> Dict[str, Any]:
    """Channel name -> client, for the channels that are configured."""
    senders: Dict[str, Any] = {}
    if config.smtp:
        senders["email"] = EmailClient(config.smtp)
    if config.webhook_url:
        senders["webhook"] = WebhookClient(config.webhook_url, config.webhook_secret, config.webhook_timeout)
    return senders
