"""Moved; split by concern in the next commit."""

from coursekeeper.privacy.privacy.third_party import *  # noqa: F403
