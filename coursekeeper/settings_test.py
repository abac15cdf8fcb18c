"""Settings for the test suite: the project's own, plus the test-only models of every shape."""

from coursekeeper.settings import *  # noqa: F403
from coursekeeper.settings import INSTALLED_APPS, VAR_DIR

INSTALLED_APPS = [*INSTALLED_APPS, "coursekeeper.privacy.tests.shapes"]
MEDIA_ROOT = VAR_DIR / "test-media"
