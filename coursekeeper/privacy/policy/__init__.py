"""Moved here from policy.py unchanged; split by concern next."""

from coursekeeper.privacy.policy.content import *  # noqa: F403
from coursekeeper.privacy.policy.content import _ordered_categories  # noqa: F401
