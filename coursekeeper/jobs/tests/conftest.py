from __future__ import annotations

import pytest

from coursekeeper.jobs.testing import DATABASE_TASKS


@pytest.fixture
def database_tasks(settings):
    """Enqueue tasks into the database, as in production, instead of running them at once."""
    settings.TASKS = DATABASE_TASKS
