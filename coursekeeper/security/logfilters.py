"""A logging filter loaded with the logging configuration, before any app is ready."""

from __future__ import annotations

import logging
import re

EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
IPV4_PATTERN = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Full eight-group addresses, or compressed ones with "::" (a clock time never has "::").
IPV6_PATTERN = re.compile(
    r"(?<![\w:])(?:(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}"
    r"|(?:[0-9a-fA-F]{1,4}:)*[0-9a-fA-F]{0,4}::(?:[0-9a-fA-F]{1,4}:)*[0-9a-fA-F]{0,4})(?![\w:])"
)


class RedactPersonalDataFilter(logging.Filter):
    """Mask email and IP addresses in application log records (the security log is a table)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = IPV6_PATTERN.sub(
            "[ip]", IPV4_PATTERN.sub("[ip]", EMAIL_PATTERN.sub("[email]", message))
        )
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
