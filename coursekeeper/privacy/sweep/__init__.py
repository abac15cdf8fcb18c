"""Moved; split by concern in the next commit."""

from coursekeeper.privacy.sweep.run import *  # noqa: F403
