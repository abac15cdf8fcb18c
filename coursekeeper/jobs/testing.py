"""Test helpers for work that crosses processes: a manage.py child on the test's own database.

Used by the tests of jobs and messaging (not by the application). The child inherits the test's
environment but runs with the project's own settings, pointed at the test database, which the
test must share through real commits (a transactional test; on SQLite, a file database).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def child_environment(**extra: str) -> dict[str, str]:
    """Return an environment in which `manage.py` uses this test's database."""
    environment = dict(os.environ)
    # A real worker runs with the project's settings, not the test settings (whose tasks run
    # in-process right after commit).
    environment["DJANGO_SETTINGS_MODULE"] = "coursekeeper.settings"
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        environment.pop("DATABASE_URL", None)
        environment["COURSEKEEPER_SQLITE_PATH"] = str(database["NAME"])
    elif connection.vendor == "postgresql":
        credentials = quote(database["USER"] or "", safe="")
        if database["PASSWORD"]:
            credentials += ":" + quote(database["PASSWORD"], safe="")
        host = database["HOST"] or "127.0.0.1"
        port = database["PORT"] or "5432"
        environment["DATABASE_URL"] = (
            f"postgres://{credentials}@{host}:{port}/{quote(database['NAME'], safe='')}"
        )
    else:  # pragma: no cover - the project runs on these two
        raise NotImplementedError(connection.vendor)
    # The erasure ledger's journal lives outside the database; share the test's.
    environment["COURSEKEEPER_ERASURE_LEDGER_JOURNAL"] = str(settings.ERASURE_LEDGER_JOURNAL)
    environment.update(extra)
    return environment


def start_manage_py(
    *arguments: str, environment: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """Start `manage.py <arguments>` as a child process writing its output to `log`."""
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *arguments],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """End a child process that may still run: politely, then for certain."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def wait_until(condition: Callable[[], bool], *, timeout: float, interval: float = 0.05) -> bool:
    """Poll `condition` until it holds or `timeout` seconds passed; return whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


# The production task backend, for tests whose tasks a real worker process must see.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
