"""Fixtures every test can use: a real SMTP server, unique people, signed-in clients."""

from __future__ import annotations

import secrets
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


@dataclass
class ReceivedMail:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        # Python folds a long encoded subject right after "Subject:"; unfolding leaves a leading
        # space that mail clients do not show.
        return str(self.message["Subject"]).strip()

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return body.get_content() if body is not None else ""


@dataclass
class SmtpSink:
    """What a local aiosmtpd server received over a real SMTP conversation."""

    host: str
    port: int
    messages: list[ReceivedMail] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(ReceivedMail(list(envelope.rcpt_tos), message))
            self.arrived.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[ReceivedMail]:
        return [mail for mail in self.messages if address in mail.recipients]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10.0) -> list[ReceivedMail]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.to(address)) >= count, timeout=timeout)
        return self.to(address)


def pytest_configure(config) -> None:
    """The SQLite test database is a file under var/, which a fresh clone does not have yet."""
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Start an SMTP server on a free local port and point Django's mail at it."""
    sink = SmtpSink(host="127.0.0.1", port=_free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _own_erasure_ledger_journal(settings, tmp_path):
    """Each test writes the erasure ledger's journal (a file outside the database) apart."""
    settings.ERASURE_LEDGER_JOURNAL = tmp_path / "erasure-ledger.journal"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language, whatever the test before it left
    active in this thread (a request a signed-in German learner made, say): with the suite
    split across processes, which test ran before is a matter of chance."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_accidental_mail(settings):
    """Tests that do not ask for the SMTP server must not try to reach one."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def token() -> str:
    """A random token to put in names, addresses and numbers so traces cannot hit by chance."""
    return secrets.token_hex(5)
