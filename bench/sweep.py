"""Benchmark the retention sweep against a plain batched SQL DELETE of the same rows (R33).

    DATABASE_URL=postgres://... .venv/bin/python bench/sweep.py           # 1,000,000 rows
    DATABASE_URL=postgres://... .venv/bin/python bench/sweep.py --quick   # 100,000 rows
    .venv/bin/python bench/sweep.py --quick                               # SQLite, a scratch file

The issue's target is on PostgreSQL: plain/sweep >= 0.5, i.e. the sweep takes at most twice as
long as the bare SQL. On PostgreSQL the benchmark creates the scratch database
`coursekeeper_bench_sweep` on the server DATABASE_URL points at (dropping a leftover one first)
and drops it at the end; on SQLite it uses a file in a fresh temporary directory.

The rows: `--rows` expired outbox messages (`messaging.OutboxMessage`, sent 60 days and more
ago; the declaration keeps them 30 days after sending) with a realistic email body, next to a
tenth as many messages sent yesterday, which both methods must leave alone. They are written by
large INSERT ... SELECT statements over a generated series, then (PostgreSQL) VACUUM ANALYZE,
as autovacuum would have run on a database in use.

Each round measures, on the same starting state (the recent rows, plus the expired rows written
afresh before each measurement):
- sweep: `run_sweep()`, the daily job as the scheduler runs it (every declaration walked, a log
  row per rule, batches of 10,000 rows each in its own transaction, selected with FOR UPDATE
  SKIP LOCKED, deleted through Django's `QuerySet.delete()` with the expiry filter repeated);
- plain: `DELETE FROM messaging_outboxmessage WHERE id IN (SELECT id FROM ... WHERE sent_at < %s
  LIMIT 10000)` in a loop, each statement its own transaction, until nothing is left.
Rounds alternate which method goes first. It prints each round's times (for the sweep also the
time its statements took, without the commits, where PostgreSQL checks foreign keys and flushes
its log), the medians and the ratio plain/sweep of the medians. Exit status 0 when both methods
deleted exactly the expired rows and kept the recent ones (a missed target is printed, not an
error), 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _scratch import create_postgres_database, drop_postgres_database

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "coursekeeper_bench_sweep"
TARGET = 0.5
PLAIN_BATCH = 10_000
INSERT_CHUNK = 100_000
TABLE = "messaging_outboxmessage"
EMAIL_BODY = (
    "Hello,\n\nyou have a new lesson waiting in your course. It opens today and takes about "
    "twenty minutes. Your progress so far is saved; pick up where you left off.\n\n"
    "Kind regards,\nThe course team\n"
)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="100,000 rows, one round (else 1,000,000, three)"
    )
    parser.add_argument("--rows", type=int, help="expired rows to delete in each measurement")
    parser.add_argument("--rounds", type=int, help="rounds of both measurements")
    options = parser.parse_args()
    options.rows = options.rows or (100_000 if options.quick else 1_000_000)
    options.rounds = options.rounds or (1 if options.quick else 3)
    if options.rows < 1 or options.rounds < 1:
        parser.error("--rows and --rounds must be positive")
    return options


def progress(message: str) -> None:
    """Say what a long run is doing, on stderr, so the report on stdout stays clean."""
    print(f"... {message}", file=sys.stderr, flush=True)


# --- Rows ---------------------------------------------------------------------------------------


def insert_messages(*, first: int, count: int, sent_at, tag: str) -> None:
    """Write `count` sent outbox messages numbered from `first`, sent `sent_at` minus n seconds."""
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    columns = (
        "status, claimed_until, attempts, max_attempts, next_attempt_at, last_error_code, "
        "created_at, finished_at, email, recipient_id, language, subject, body_text, body_html, "
        "headers, message_id, template, sent_at, forget_after_sending"
    )
    for start in range(first, first + count, INSERT_CHUNK):
        stop = min(start + INSERT_CHUNK, first + count) - 1
        if postgres:
            series = "generate_series(%s, %s) AS s(n)"
            moment = "%s::timestamptz - make_interval(secs => n)"
            text = "n::text"
            false = "false"
            empty_json = "'{}'::jsonb"
        else:
            series = (
                "(WITH RECURSIVE s(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM s WHERE n < %s) "
                "SELECT n FROM s)"
            )
            moment = "strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s, '-' || n || ' seconds')"
            text = "CAST(n AS TEXT)"
            false = "0"
            empty_json = "'{}'"
        sql = (
            f"INSERT INTO {TABLE} ({columns}) SELECT "  # noqa: S608 - constants only
            f"'done', NULL, 1, 8, {moment}, '', {moment}, {moment}, "
            f"'learner-' || {text} || '@bench.example.org', NULL, 'da', "
            f"'Lesson ' || {text} || ' is ready', %s, '', {empty_json}, "
            f"'<bench-{tag}-' || {text} || '@bench.example.org>', 'learning/lesson_released', "
            f"{moment}, {false} FROM {series}"
        )
        stamp = sent_at if postgres else sent_at.strftime("%Y-%m-%d %H:%M:%S.%f")
        params = [stamp, stamp, stamp, EMAIL_BODY, stamp, start, stop]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"VACUUM ANALYZE {TABLE}" if connection.vendor == "postgresql" else "ANALYZE"
        )


def outbox_counts(cutoff) -> tuple[int, int]:
    """Return (expired, recent) outbox rows as of the sweep's cutoff."""
    from coursekeeper.messaging.models import OutboxMessage

    expired = OutboxMessage.objects.filter(sent_at__lt=cutoff).count()
    return expired, OutboxMessage.objects.count() - expired


# --- The two methods ----------------------------------------------------------------------------


@dataclass
class Measurement:
    method: str
    seconds: float
    sql_seconds: float
    statements: int
    deleted: int


class SqlClock:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.statements += 1


def measure_sweep(now) -> Measurement:
    from django.db import connection

    from coursekeeper.privacy.sweep import run_sweep

    clock = SqlClock()
    with connection.execute_wrapper(clock):
        started = time.perf_counter()
        report = run_sweep(as_of=now)
        elapsed = time.perf_counter() - started
    deleted = sum(o.count for o in report.rules if o.label == "messaging.OutboxMessage")
    if report.failed:
        raise InvalidRun(f"the sweep failed under {[o.label for o in report.failed]}")
    return Measurement("sweep", elapsed, clock.seconds, clock.statements, deleted)


def measure_plain(cutoff) -> Measurement:
    from django.db import connection

    sql = (
        f"DELETE FROM {TABLE} WHERE id IN "  # noqa: S608 - constants only
        f"(SELECT id FROM {TABLE} WHERE sent_at < %s LIMIT {PLAIN_BATCH})"
    )
    deleted = statements = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:  # autocommit: each DELETE is its own transaction
        while True:
            cursor.execute(sql, [cutoff])
            statements += 1
            if cursor.rowcount <= 0:
                break
            deleted += cursor.rowcount
    elapsed = time.perf_counter() - started
    return Measurement("plain", elapsed, elapsed, statements, deleted)


class InvalidRun(Exception):
    pass


# --- The run ------------------------------------------------------------------------------------


def main() -> int:
    options = parse_arguments()
    began = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="coursekeeper-bench-sweep-"))
    server_url = os.environ.get("DATABASE_URL")
    environment = {
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
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from coursekeeper.messaging.models import OutboxMessage
    from coursekeeper.privacy.declarations import registry
    from coursekeeper.privacy.sweep import BATCH

    now = timezone.now()
    cutoff = registry.get(OutboxMessage).retention.cutoff(now)
    recent = max(options.rows // 10, 1)
    measurements: list[list[Measurement]] = []
    try:
        call_command("migrate", verbosity=0, skip_checks=True)
        progress(f"writing {recent} recent messages")
        insert_messages(first=1, count=recent, sent_at=now - timedelta(days=1), tag="recent")
        for round_number in range(options.rounds):
            methods = ["sweep", "plain"] if round_number % 2 == 0 else ["plain", "sweep"]
            results = []
            for method in methods:
                progress(f"round {round_number + 1}: writing {options.rows} expired messages")
                insert_messages(
                    first=1,
                    count=options.rows,
                    sent_at=now - timedelta(days=60),
                    tag=f"{round_number}-{method}",
                )
                vacuum()
                if outbox_counts(cutoff) != (options.rows, recent):
                    raise InvalidRun(f"the table holds {outbox_counts(cutoff)} before {method}")
                progress(f"round {round_number + 1}: {method}")
                result = measure_sweep(now) if method == "sweep" else measure_plain(cutoff)
                if result.deleted != options.rows or outbox_counts(cutoff) != (0, recent):
                    raise InvalidRun(
                        f"{method} deleted {result.deleted} rows and left "
                        f"{outbox_counts(cutoff)} (expired, recent)"
                    )
                results.append(result)
            measurements.append(sorted(results, key=lambda m: m.method))
    except InvalidRun as error:
        print(f"the run is not valid: {error}")
        return 1
    finally:
        connections.close_all()
        if server_url:
            drop_postgres_database(server_url, BENCH_DATABASE)
        shutil.rmtree(scratch, ignore_errors=True)

    print("retention sweep benchmark: the sweep against a plain batched SQL DELETE (issue 6, R33)")
    print(f"database: {database_label}")
    print(
        f"rows: {options.rows} expired outbox messages per measurement, next to {recent} "
        f"recent ones both must keep; batches of {BATCH} (sweep) and {PLAIN_BATCH} (plain)"
    )
    for number, (plain, sweep) in enumerate(measurements, start=1):
        print(
            f"  round {number}: sweep {sweep.seconds:.2f} s ({sweep.statements} statements "
            f"taking {sweep.sql_seconds:.2f} s, commits aside), plain {plain.seconds:.2f} s in "
            f"{plain.statements} statements; ratio plain/sweep {plain.seconds / sweep.seconds:.2f}"
        )
    sweep_median = statistics.median(sweep.seconds for _plain, sweep in measurements)
    plain_median = statistics.median(plain.seconds for plain, _sweep in measurements)
    ratio = plain_median / sweep_median
    verdict = "met" if round(ratio, 2) >= TARGET else "MISSED"
    print(
        f"medians: sweep {sweep_median:.2f} s ({options.rows / sweep_median:,.0f} rows/s), "
        f"plain {plain_median:.2f} s ({options.rows / plain_median:,.0f} rows/s)"
    )
    print(f"ratio plain/sweep: {ratio:.2f} (target >= {TARGET}) {verdict}")
    print(f"total seconds: {time.monotonic() - began:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
