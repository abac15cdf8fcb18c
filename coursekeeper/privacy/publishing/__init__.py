"""Moved here from publishing.py unchanged; split by concern next."""

from coursekeeper.privacy.publishing.changes import *  # noqa: F403
