"""Moved here from register.py unchanged; split by concern next."""

from coursekeeper.privacy.register.record import *  # noqa: F403
