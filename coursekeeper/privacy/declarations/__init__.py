"""Moved; split by concern in the next commit."""

from coursekeeper.privacy.declarations.subjects import *  # noqa: F403
