"""Benchmark the email outbox: queue 10,000 emails, deliver them with two real workers.

    .venv/bin/python bench/outbox_delivery.py                  # SQLite, a scratch file
    DATABASE_URL=postgres://... .venv/bin/python bench/outbox_delivery.py   # PostgreSQL

The benchmark never touches the developer's data: on SQLite it uses a database file in a fresh
temporary directory; on PostgreSQL it creates a database named `coursekeeper_bench` on the
server DATABASE_URL points at (dropping a leftover one first) and drops it at the end.

It starts a local aiosmtpd server, queues the emails with `queue_email` (in transactions of
500, as many causes would), then starts the workers -- by default two `manage.py db_worker`
processes, the production path (one task per message); `--worker outbox_flush` runs two
`outbox_flush --loop` workers instead -- and measures from their start until every row is
`done`. It prints plain lines; "lost" and "duplicated" must be 0, and the exit status says so.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from _scratch import create_postgres_database, drop_postgres_database, free_port

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "coursekeeper_bench"
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


class CountingSink:
    """An SMTP handler that only counts the Message-IDs it accepts."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        match = MESSAGE_ID.search(envelope.content)
        with self.lock:
            self.received[match.group(1).decode() if match else "<missing>"] += 1
        return "250 OK"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker", choices=["db_worker", "outbox_flush"], default="db_worker")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait at most")
    return parser.parse_args()


def worker_command(kind: str) -> list[str]:
    if kind == "db_worker":
        arguments = ["db_worker", "--queue-name", "default", "--interval", "0.1"]
        arguments += ["--no-startup-delay", "--no-reload"]
    else:
        arguments = ["outbox_flush", "--loop", "--interval", "0.1"]
    return [sys.executable, "manage.py", *arguments, "--skip-checks", "-v", "0"]


def main() -> int:
    options = parse_arguments()
    scratch = Path(tempfile.mkdtemp(prefix="coursekeeper-bench-"))
    server_url = os.environ.get("DATABASE_URL")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coursekeeper.settings",
        "COURSEKEEPER_VAR_DIR": str(scratch),
        "LOG_LEVEL": "WARNING",
    }
    if server_url:
        environment["DATABASE_URL"] = create_postgres_database(server_url, BENCH_DATABASE)
        database_label = f"postgresql (scratch database {BENCH_DATABASE})"
    else:
        environment["COURSEKEEPER_SQLITE_PATH"] = str(scratch / "bench.sqlite3")
        database_label = "sqlite (scratch file)"
    sink = CountingSink()
    port = free_port()
    environment.update({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)})
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))

    import django
    from aiosmtpd.controller import Controller

    django.setup()
    from django.core.management import call_command
    from django.db import connections, transaction

    from coursekeeper.jobs.models import JobStatus
    from coursekeeper.messaging.models import OutboxMessage
    from coursekeeper.messaging.services import queue_email

    controller = Controller(sink, hostname="127.0.0.1", port=port)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        call_command("migrate", verbosity=0, skip_checks=True)
        controller.start()
        queued_at = time.perf_counter()
        for start in range(0, options.count, 500):
            with transaction.atomic():
                for number in range(start, min(start + 500, options.count)):
                    queue_email(
                        to=f"bench-{number}@example.org",
                        subject=f"Benchmark message {number}",
                        body_text=f"This is benchmark message {number}.\n" * 10,
                        language="en",
                        template="bench/outbox",
                    )
        queue_seconds = time.perf_counter() - queued_at
        expected = set(OutboxMessage.objects.values_list("message_id", flat=True))
        pending = OutboxMessage.objects.exclude(status__in=[JobStatus.DONE, JobStatus.FAILED])
        connections.close_all()

        started = time.perf_counter()
        for index in range(options.workers):
            log = (scratch / f"worker{index}.log").open("wb")
            workers.append(
                subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
                    worker_command(options.worker),
                    cwd=ROOT,
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = started + options.timeout
        while pending.exists():
            if time.perf_counter() > deadline:
                print(f"timed out after {options.timeout:.0f} s")
                break
            if any(worker.poll() is not None for worker in workers):
                print("a worker stopped unexpectedly; its log is under", scratch)
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        done = OutboxMessage.objects.filter(status=JobStatus.DONE).count()
        failed = OutboxMessage.objects.filter(status=JobStatus.FAILED).count()
        connections.close_all()
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        controller.stop()
        if server_url:
            drop_postgres_database(server_url, BENCH_DATABASE)

    received = sink.received
    lost = len(expected - set(received))
    duplicated = sum(count - 1 for message_id, count in received.items() if count > 1)
    print("outbox delivery benchmark")
    print(f"database: {database_label}")
    print(f"workers: {options.workers} x {options.worker}")
    print(f"emails: {options.count}")
    print(f"queued in seconds: {queue_seconds:.1f}")
    print(f"delivered in seconds: {elapsed:.1f}")
    print(f"emails per second: {done / elapsed:.0f}")
    print(f"done: {done}")
    print(f"failed: {failed}")
    print(f"lost: {lost}")
    print(f"duplicated: {duplicated}")
    ok = lost == 0 and duplicated == 0 and done == options.count
    if ok:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
