"""Moved here from rights.py unchanged; split by concern next."""

from coursekeeper.privacy.rights.filing import *  # noqa: F403
from coursekeeper.privacy.rights.filing import _send  # noqa: F401
