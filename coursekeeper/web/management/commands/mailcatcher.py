"""A local SMTP server for development: keeps every message under var/mail and prints it.

The platform speaks real SMTP in development, the same as in production; this is only the
receiving end, so links in verification emails can be followed without a mail provider.
"""

from __future__ import annotations

import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand


class _SaveAndPrint:
    def __init__(self, directory: Path, write) -> None:
        self.directory = directory
        self.write = write

    async def handle_DATA(self, server, session, envelope):
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{time.time_ns()}.eml"
        path.write_bytes(envelope.content)
        message = message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        self.write(
            f"\n--- mail to {', '.join(envelope.rcpt_tos)}: {message['Subject']}\n"
            f"{text}\n--- saved as {path}\n"
        )
        return "250 Message accepted for delivery"


class Command(BaseCommand):
    help = "Receive the platform's email on a local SMTP port (development only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.EMAIL_PORT)

    def handle(self, *args, host: str, port: int, **options) -> None:
        directory = Path(settings.VAR_DIR) / "mail"
        controller = Controller(
            _SaveAndPrint(directory, self.stdout.write), hostname=host, port=port
        )
        controller.start()
        self.stdout.write(f"Mail catcher listening on {host}:{port}, saving to {directory}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
