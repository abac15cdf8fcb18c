"""Moved; split by concern in the next commit."""

from coursekeeper.commerce.privacy.declarations import *  # noqa: F403
