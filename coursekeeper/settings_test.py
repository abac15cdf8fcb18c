"""Settings for the test suite: the project's own, plus the test-only models of every shape."""

import os

from coursekeeper.settings import *  # noqa: F403
from coursekeeper.settings import INSTALLED_APPS, VAR_DIR

INSTALLED_APPS = [*INSTALLED_APPS, "coursekeeper.privacy.tests.shapes"]
# Each parallel test process (pytest-xdist's PYTEST_XDIST_WORKER) keeps its own files.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
MEDIA_ROOT = VAR_DIR / f"test-media{_WORKER and '-' + _WORKER}"

# A task runs in the test's own process right after the commit that enqueued it, so a test that
# queues an email sees it arrive at its SMTP server. Tests that need a real worker process set
# TASKS back to the database backend with pytest-django's `settings` fixture.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Tests read the page-view counts right after a request: write each view at once.
STATS_FLUSH_EVERY = 1
