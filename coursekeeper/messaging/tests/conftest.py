"""Fixtures of the messaging tests: SMTP servers that refuse, an unreachable one, real tasks."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from coursekeeper.jobs.testing import DATABASE_TASKS


@pytest.fixture
def database_tasks(settings):
    """Enqueue tasks into the database, as in production, instead of running them at once."""
    settings.TASKS = DATABASE_TASKS


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RefusingRecipients:
    """An SMTP server that answers every RCPT TO with one fixed reply."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.delivered = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return self.reply

    async def handle_DATA(self, server, session, envelope):
        self.delivered += 1
        return "250 OK"


@pytest.fixture
def refusing_smtp_server(settings):
    """Return a function that starts an SMTP server refusing recipients with a given reply."""
    controllers = []

    def start(reply: str) -> RefusingRecipients:
        handler = RefusingRecipients(reply)
        port = _free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        return handler

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def unreachable_smtp_server(settings):
    """Point Django's mail at a local port nothing listens on."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()
    settings.EMAIL_TIMEOUT = 5
