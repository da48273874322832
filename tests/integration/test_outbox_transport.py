"""The notification clients on their own: SMTP with STARTTLS or implicit TLS and a login, and a
signed webhook, against real servers on loopback with a throw-away certificate authority."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import ssl
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.leads import notify
from tests.support.services import WebhookReceiver, free_port, lead


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, used as its own CA by the client (SMTP_CA_FILE)."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


class Inbox:
    def __init__(self):
        self.messages, self.logins = [], []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append(auth_data.login)
        return AuthResult(success=auth_data.login == b"bot" and auth_data.password == b"s3cret")


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_smtp_with_tls_and_login(cert, security):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*cert)
    inbox, port = Inbox(), free_port()
    # With implicit TLS aiosmtpd cannot tell the session is encrypted, so it must not hide AUTH.
    tls = (
        {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
        if security == "starttls"
        else {"ssl_context": context, "auth_require_tls": False}
    )
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate, **tls)
    controller.start()
    try:
        config = notify.NotifyConfig.from_env(
            {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(port),
                "SMTP_SECURITY": security,
                "SMTP_USERNAME": "bot",
                "SMTP_PASSWORD": "s3cret",
                "SMTP_FROM": "bot@clinic.example",
                "SMTP_TO": "a@clinic.example, b@clinic.example",
                "SMTP_CA_FILE": cert[0],
                "STAFF_BASE_URL": "https://clinic.example",
            }
        )
        note = notify.render(dict(lead(), id="L-TLSTEST2", status="new"), config.base_url)
        asyncio.run(notify.EmailClient(config.smtp).send("L-TLSTEST2:email", note))
    finally:
        controller.stop()
    assert inbox.logins == [b"bot"] and len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == "a@clinic.example, b@clinic.example"


def test_smtp_refuses_an_untrusted_certificate(cert):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*cert)
    port = free_port()
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        config = notify.SmtpConfig(
            host="127.0.0.1",
            port=port,
            security="tls",
            username="",
            password="",
            sender="bot@clinic.example",
            recipients=("a@clinic.example",),
            timeout=5,
        )
        with pytest.raises(ConnectionError, match="(?i)certificate verify failed"):  # aiosmtplib.SMTPConnectError
            asyncio.run(notify.EmailClient(config).send("k", notify.Notification("s", "t")))
    finally:
        controller.stop()


def test_webhook_is_slack_compatible_and_signed():
    hook = WebhookReceiver().start()
    try:
        client = notify.WebhookClient(hook.url, secret="shared-secret")
        note = notify.render(dict(lead(), id="L-HOOK2345", status="new"), "https://clinic.example")
        asyncio.run(client.send("L-HOOK2345:webhook", note))
        hook.status = 500
        with pytest.raises(notify.WebhookError):
            asyncio.run(client.send("L-HOOK2345:webhook", note))
    finally:
        hook.stop()
    entry = hook.received[0]
    body = json.dumps(entry["json"]).encode()
    assert isinstance(entry["json"]["text"], str) and entry["json"]["text"].startswith("New lead L-HOOK2345")
    expected = hmac.new(
        b"shared-secret", json.dumps(dict(note.payload, idempotency_key="L-HOOK2345:webhook")).encode(), hashlib.sha256
    ).hexdigest()
    assert entry["headers"]["x-signature-sha256"] == expected and body


def test_config_from_env_leaves_unset_channels_off():
    assert notify.NotifyConfig.from_env({}).channels == []
    assert notify.NotifyConfig.from_env({"SMTP_HOST": "mail"}).channels == []  # no recipients, no email
    cfg = notify.NotifyConfig.from_env(
        {"SMTP_HOST": "mail", "SMTP_TO": "x@y", "WEBHOOK_URL": "https://hooks.example/1"}
    )
    assert cfg.channels == ["email", "webhook"] and cfg.smtp.port == 587 and cfg.smtp.security == "starttls"
    with pytest.raises(ValueError):
        notify.NotifyConfig.from_env({"SMTP_HOST": "mail", "SMTP_TO": "x@y", "SMTP_SECURITY": "ssl3"})
