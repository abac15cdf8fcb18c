"""Fixtures of the newsletter tests: subscribers made the real way, a picky SMTP server."""

from __future__ import annotations

import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction

from conftest import SmtpSink
from coursekeeper.newsletter import services
from coursekeeper.privacy import consents

# The browser fixture of the browser tests, for this app's page checks.
from tests.browser.conftest import browser  # noqa: F401

CONFIRM_LINK = re.compile(r"https?://\S+/newsletter/confirm/[^/\s]+/")


def confirm_link(text: str) -> str:
    """Return the confirmation link in a mail's text; fail the test when there is none."""
    found = CONFIRM_LINK.search(text)
    assert found is not None, "no confirmation link in the mail"
    return found.group(0)


def subscribe(email: str, *, language: str = "en", user=None, country: str = ""):
    """Record a confirmed newsletter consent, as the double opt-in does."""
    services.publish_wording()
    with transaction.atomic():
        return consents.give_consent(
            purpose="newsletter",
            wording_version="2026-12",
            language=language,
            method=services.CONSENT_METHOD,
            email=email,
            user=user,
            country=country,
        )


class RefusingSome(SmtpSink):
    """Accepts every recipient except addresses starting with "refuse-" (550, for good)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse-"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def picky_smtp_server(settings):
    """An SMTP server that refuses some recipients and takes the rest."""
    sink = RefusingSome(host="127.0.0.1", port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def site_url(settings) -> str:
    settings.SITE_URL = "https://school.example"
    return settings.SITE_URL
