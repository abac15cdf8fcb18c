"""Benchmark export and erasure of one person at scale (issue 5): person size and database size.

    .venv/bin/python bench/rights.py                  # SQLite, scratch files
    DATABASE_URL=postgres://... .venv/bin/python bench/rights.py   # PostgreSQL
    .venv/bin/python bench/rights.py --quick          # 1,000 and 10,000 learners, 3 repetitions

What is measured, each as the median of `--repeat` repetitions (default 9), all in one run:
- export: `request_export(user=...)` + `run_export_job(job_id=...)`, the two calls a request and
  a worker make (the job row, the walk over the declaration, the file under MEDIA_ROOT);
- erasure: `request_erasure(user=...)` + `run_erasure_job(job_id=...)`; erasure destroys the
  person, so every repetition erases a freshly built, identical person;
for a person with about 100 rows of their own and one with about 10,000, in a database of
10,000 learners and in one of 100,000. It prints the medians and the ratios
person(10,000 rows)/person(100 rows) and database(100,000)/database(10,000); the second should
stay at or below 1.2, since every lookup of a person's rows is an index lookup.

Design:
- Two scratch databases, one per size, built once. Each database has a Django connection of its
  own, kept open like a worker's, and the default connection is switched between them; every
  measurement runs on both databases back to back, in an order that flips every round, so the
  drift of a busy machine hits both alike. Besides the ratio of the medians, the median of the
  per-round ratios is printed (the paired view of the same runs). On PostgreSQL the databases are
  `<prefix>_<learners>` on the server DATABASE_URL points at (dropped first if left over, and
  dropped at the end); on SQLite, files in a fresh temporary directory. MEDIA_ROOT (under
  COURSEKEEPER_VAR_DIR) is in that directory too, and it is removed at the end.
- Each learner gets a realistic handful of rows (an address, two enrolments and some lesson
  progress, a session, a consent, a sign-in fingerprint, emails, security events, an axes log
  line; every 20th a free-material request, every 50th a rights request, every 100th an admin
  log entry), written with bulk_create and one password hash computed once. PostgreSQL then gets
  VACUUM ANALYZE, as autovacuum would have run on a database in use.
- The person under test has rows in every model that can hold many (`PERSON_PROFILE`, scaled
  to the size); the rows the declaration's walks find for them are counted and printed.
- The task backend is django-tasks' DummyBackend (enqueueing runs nothing); the benchmark calls
  the job functions itself, as a worker would.
- "SQL" is the time spent inside the statements' execute calls: commits are not in it, nor, on
  SQLite, the reading of a SELECT's rows (SQLite produces them as they are fetched).
- Afterwards, on the larger database, it keeps every statement of one export and one erasure of
  the 10,000-row person, EXPLAINs each and prints those that read a whole table of 1,000 rows or
  more (a sequential scan, or SQLite's SCAN): the usual cause of a database ratio above 1.2.
Exit status: 0 when every job finished and the erased person is gone (a missed target is
printed, not an error), 1 otherwise.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from _scratch import create_postgres_database, drop_postgres_database

ROOT = Path(__file__).resolve().parent.parent
DATABASE_PREFIX = "coursekeeper_bench_rights"
DATABASE_RATIO_TARGET = 1.2
PERSON_SIZES = (100, 10_000)
FULL_LEARNERS = (10_000, 100_000)
QUICK_LEARNERS = (1_000, 10_000)
SCAN_REPORT_MIN_ROWS = 1_000

# The catalogue: 100 courses x 6 modules x 10 lessons, so a busy person's progress can spread over
# 6,000 different lessons without repeating one (one progress row per learner and lesson).
COURSES = 100
MODULES_PER_COURSE = 6
LESSONS_PER_MODULE = 10
LESSONS_PER_COURSE = MODULES_PER_COURSE * LESSONS_PER_MODULE

# What every learner of the population has: model label -> rows per learner. The occasional
# ones (rights requests, material requests, admin log entries) are per-learner fractions.
LEARNER_ROWS = {
    "account.EmailAddress": 1,
    "learning.Enrollment": 2,
    "learning.LessonProgress": 8,
    "usersessions.UserSession": 1,
    "sessions.Session": 1,
    "privacy.Consent": 1,
    "accounts.SignInFingerprint": 1,
    "messaging.OutboxMessage": 2,
    "security.SecurityEvent": 2,
    "axes.AccessLog": 1,
}
OCCASIONAL_EVERY = {
    "learning.MaterialRequest": 20,
    "privacy.RightsRequest": 50,  # with two request events each
    "admin.LogEntry": 100,
}

# The person under test, at 10,000 rows; lesson progress takes whatever the others leave.
PERSON_PROFILE = {
    "accounts.User": 1,
    "account.EmailAddress": 3,
    "learning.Enrollment": 100,
    "messaging.OutboxMessage": 1500,
    "privacy.Consent": 800,
    "usersessions.UserSession": 300,
    "sessions.Session": 300,
    "security.SecurityEvent": 600,
    "accounts.SignInFingerprint": 200,
    "axes.AccessLog": 300,
    "privacy.RightsRequest": 10,
    "privacy.RightsRequestEvent": 30,
    "learning.MaterialRequest": 30,
    "admin.LogEntry": 26,
}
PROFILE_BASE = 10_000

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
EMAIL_BODY = (
    "Hello,\n\nyou have a new lesson waiting in your course. It opens today and takes about "
    "twenty minutes. Your progress so far is saved; pick up where you left off.\n\n"
    "Kind regards,\nThe course team\n"
)


def person_counts(size: int) -> dict[str, int]:
    """Return the rows per model of a person with `size` rows of their own (at least one each)."""
    counts = {
        label: max(1, round(count * size / PROFILE_BASE)) for label, count in PERSON_PROFILE.items()
    }
    counts["sessions.Session"] = counts["usersessions.UserSession"]
    counts["learning.LessonProgress"] = size - sum(counts.values())
    if counts["learning.LessonProgress"] > counts["learning.Enrollment"] * LESSONS_PER_COURSE:
        raise ValueError(f"a person of {size} rows needs more courses than the catalogue has")
    return counts


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 1,000 and 10,000 learners, 3 repetitions (else 10,000, 100,000, 9)",
    )
    parser.add_argument("--small", type=int, help="learners in the smaller database")
    parser.add_argument("--large", type=int, help="learners in the larger database")
    parser.add_argument("--repeat", type=int, help="repetitions of each measurement")
    parser.add_argument(
        "--database-prefix",
        default=DATABASE_PREFIX,
        help="PostgreSQL only: the scratch databases are <prefix>_<learners>",
    )
    options = parser.parse_args()
    small, large = QUICK_LEARNERS if options.quick else FULL_LEARNERS
    options.small = options.small or small
    options.large = options.large or large
    options.repeat = options.repeat or (3 if options.quick else 9)
    if not 0 < options.small < options.large:
        parser.error("--small must be positive and below --large")
    return options


# --- Building rows ------------------------------------------------------------------------------


@dataclass
class Catalogue:
    """What the rows of every database point at: courses, lessons, a staff member."""

    course_ids: list[int]
    lessons_by_course: dict[int, list[int]]
    staff_id: int
    user_type_id: int


class Builder:
    """Writes learners and people with bulk inserts; one password hash for all of them."""

    def __init__(self, catalogue: Catalogue, password_hash: str, session_data: str) -> None:
        self.catalogue = catalogue
        self.password_hash = password_hash
        self.session_data = session_data
        self.random = random.Random(5)  # noqa: S311 - spreads test rows, nothing secret
        self.serial = 0

    def users(self, emails: list[str], tag: str):
        from django.utils import timezone

        from coursekeeper.accounts.models import User

        now = timezone.now()
        users = [
            User(
                email=email,
                full_name=f"Bench {tag} {number}",
                phone=f"+45 {number % 10**8:08d}",
                city="Aarhus",
                country="DK",
                language="da",
                password=self.password_hash,
                adult_confirmed_at=now,
                date_joined=now - timedelta(days=number % 700),
            )
            for number, email in enumerate(emails)
        ]
        return User.objects.bulk_create(users, batch_size=2000)

    def rows(self, users, counts: dict[str, int]) -> None:
        """Write, for each of `users`, `counts[label]` rows of each model (User excluded)."""
        from allauth.account.models import EmailAddress
        from allauth.usersessions.models import UserSession
        from axes.models import AccessLog
        from django.contrib.admin.models import LogEntry
        from django.contrib.sessions.models import Session
        from django.utils import timezone

        from coursekeeper.accounts.models import SignInFingerprint
        from coursekeeper.jobs.models import JobStatus
        from coursekeeper.learning.models import (
            Enrollment,
            LessonProgress,
            MaterialRequest,
        )
        from coursekeeper.messaging.models import OutboxMessage
        from coursekeeper.privacy.models import Consent, RightsRequest, RightsRequestEvent
        from coursekeeper.security.models import SecurityEvent

        now = timezone.now()
        catalogue = self.catalogue
        pick = self.random
        made: dict[type, list] = defaultdict(list)
        events_per_request: list[int] = []
        for user in users:
            self.serial += 1
            serial = self.serial
            for index in range(counts.get("account.EmailAddress", 0)):
                address = user.email if index == 0 else f"alt{index}.{user.email}"
                made[EmailAddress].append(
                    EmailAddress(user=user, email=address, verified=True, primary=index == 0)
                )
            courses = pick.sample(catalogue.course_ids, counts.get("learning.Enrollment", 0))
            for course_id in courses:
                made[Enrollment].append(
                    Enrollment(
                        learner=user,
                        course_id=course_id,
                        enrolled_at=now - timedelta(days=pick.randrange(400)),
                        last_activity_at=now - timedelta(days=pick.randrange(30)),
                    )
                )
            lessons = [lesson for c in courses for lesson in catalogue.lessons_by_course[c]]
            for lesson_id in lessons[: counts.get("learning.LessonProgress", 0)]:
                done = pick.random() < 0.6
                made[LessonProgress].append(
                    LessonProgress(
                        learner=user,
                        lesson_id=lesson_id,
                        position_seconds=pick.uniform(0, 900),
                        completed_at=now if done else None,
                        updated_at=now - timedelta(minutes=pick.randrange(100_000)),
                    )
                )
            for index in range(counts.get("usersessions.UserSession", 0)):
                key = uuid.uuid4().hex
                made[Session].append(
                    Session(
                        session_key=key,
                        session_data=self.session_data,
                        expire_date=now + timedelta(days=14),
                    )
                )
                made[UserSession].append(
                    UserSession(
                        user=user,
                        ip=f"198.51.{serial % 250}.{index % 250 + 1}",
                        session_key=key,
                        user_agent=FIREFOX,
                        last_seen_at=now - timedelta(hours=index),
                    )
                )
            for index in range(counts.get("privacy.Consent", 0)):
                made[Consent].append(
                    Consent(
                        user=user,
                        purpose=("newsletter", "recommendations", "analytics")[index % 3],
                        wording_version="2026-01",
                        language="da",
                        method="form",
                        given_at=now - timedelta(days=index + 1),
                        withdrawn_at=now - timedelta(days=index) if index % 2 else None,
                    )
                )
            for index in range(counts.get("accounts.SignInFingerprint", 0)):
                made[SignInFingerprint].append(
                    SignInFingerprint(
                        user=user,
                        fingerprint=hashlib.sha256(f"{user.pk}:{index}".encode()).hexdigest(),
                    )
                )
            for index in range(counts.get("messaging.OutboxMessage", 0)):
                sent = now - timedelta(hours=index)
                made[OutboxMessage].append(
                    OutboxMessage(
                        email=user.email,
                        recipient=user,
                        language="da",
                        subject=f"Lesson {index} is ready",
                        body_text=EMAIL_BODY,
                        template="learning/lesson_released",
                        status=JobStatus.DONE,
                        attempts=1,
                        sent_at=sent,
                        finished_at=sent,
                    )
                )
            for index in range(counts.get("security.SecurityEvent", 0)):
                made[SecurityEvent].append(
                    SecurityEvent(
                        at=now - timedelta(hours=index),
                        kind=SecurityEvent.Kind.SIGNED_IN,
                        user=user,
                        ip=f"203.0.113.{index % 250 + 1}",
                        user_agent=FIREFOX,
                    )
                )
            for index in range(counts.get("axes.AccessLog", 0)):
                made[AccessLog].append(
                    AccessLog(
                        username=user.email,
                        ip_address=f"203.0.113.{index % 250 + 1}",
                        user_agent=FIREFOX,
                        http_accept="text/html",
                        path_info="/accounts/login/",
                        session_hash=hashlib.sha256(f"{serial}:{index}".encode()).hexdigest(),
                    )
                )
            self._occasional(user, serial, counts, made, events_per_request, now)

        for model in (
            EmailAddress,
            Enrollment,
            LessonProgress,
            Session,
            UserSession,
            Consent,
            SignInFingerprint,
            OutboxMessage,
            SecurityEvent,
            AccessLog,
            MaterialRequest,
            LogEntry,
        ):
            if made[model]:
                model.objects.bulk_create(made[model], batch_size=2000)
        if made[RightsRequest]:
            requests = RightsRequest.objects.bulk_create(made[RightsRequest], batch_size=2000)
            events = [
                RightsRequestEvent(
                    request=request,
                    action=RightsRequestEvent.Action.NOTE,
                    note="Called back; the person confirmed the request.",
                )
                for request, count in zip(requests, events_per_request, strict=True)
                for _index in range(count)
            ]
            RightsRequestEvent.objects.bulk_create(events, batch_size=2000)

    def _occasional(self, user, serial, counts, made, events_per_request, now) -> None:
        """Add the rows only some learners have (all of them for a person under test)."""
        from django.contrib.admin.models import CHANGE, LogEntry

        from coursekeeper.learning.models import MaterialRequest
        from coursekeeper.privacy.models import RightsRequest

        def how_many(label: str) -> int:
            if label in counts:
                return counts[label]
            every = OCCASIONAL_EVERY.get(label)
            return 1 if every and serial % every == 0 else 0

        for _index in range(how_many("learning.MaterialRequest")):
            made[MaterialRequest].append(
                MaterialRequest(
                    lesson_id=self.catalogue.lessons_by_course[self.catalogue.course_ids[0]][0],
                    name=user.full_name,
                    email=user.email,
                    token=uuid.uuid4().hex,
                )
            )
        requests = how_many("privacy.RightsRequest")
        events = counts.get("privacy.RightsRequestEvent", 2 * requests)
        for index in range(requests):
            made[RightsRequest].append(
                RightsRequest(
                    kind=RightsRequest.Kind.ACCESS,
                    channel=RightsRequest.Channel.ACCOUNT,
                    status=RightsRequest.Status.ANSWERED,
                    user=user,
                    email=user.email,
                    details="Please send me a copy of what you hold about me.",
                    received_at=now - timedelta(days=40),
                    due_at=now - timedelta(days=10),
                    answered_at=now - timedelta(days=12),
                    answer="Your copy is attached.",
                )
            )
            share = events // requests + (1 if index < events % requests else 0)
            events_per_request.append(share)
        for _index in range(how_many("admin.LogEntry")):
            made[LogEntry].append(
                LogEntry(
                    user_id=self.catalogue.staff_id,
                    content_type_id=self.catalogue.user_type_id,
                    object_id=str(user.pk),
                    object_repr=user.full_name,
                    action_flag=CHANGE,
                    change_message='[{"changed": {"fields": ["Phone"]}}]',
                )
            )

    def learners(self, first: int, count: int) -> None:
        emails = [f"learner-{number}@bench.example.org" for number in range(first, first + count)]
        self.rows(self.users(emails, "learner"), LEARNER_ROWS)

    def person(self, size: int):
        self.serial += 1
        email = f"person-{size}-{self.serial}-{uuid.uuid4().hex[:6]}@bench.example.org"
        (user,) = self.users([email], f"person {size}")
        self.rows([user], person_counts(size))
        return user


def build_catalogue(password_hash: str) -> Catalogue:
    from django.contrib.contenttypes.models import ContentType

    from coursekeeper.accounts.choices import Role
    from coursekeeper.accounts.models import User
    from coursekeeper.learning.models import Course, Lesson, Module

    staff, instructor = User.objects.bulk_create(
        [
            User(
                email="staff@bench.example.org",
                full_name="Bench Staff",
                role=Role.SUPPORT,
                is_staff=True,
                password=password_hash,
            ),
            User(
                email="instructor@bench.example.org",
                full_name="Bench Instructor",
                role=Role.INSTRUCTOR,
                password=password_hash,
            ),
        ]
    )
    courses = Course.objects.bulk_create(
        Course(
            slug=f"bench-course-{number}",
            title=f"Bench course {number}",
            summary="A course of the benchmark.",
            instructor=instructor,
            is_published=True,
        )
        for number in range(COURSES)
    )
    modules = Module.objects.bulk_create(
        Module(course=course, title=f"Module {position}", position=position)
        for course in courses
        for position in range(MODULES_PER_COURSE)
    )
    lessons = Lesson.objects.bulk_create(
        (
            Lesson(module=module, title=f"Lesson {position}", body="Read this.", position=position)
            for module in modules
            for position in range(LESSONS_PER_MODULE)
        ),
        batch_size=2000,
    )
    lessons_by_course: dict[int, list[int]] = defaultdict(list)
    course_of_module = {module.pk: module.course_id for module in modules}
    for lesson in lessons:
        lessons_by_course[course_of_module[lesson.module_id]].append(lesson.pk)
    return Catalogue(
        course_ids=[course.pk for course in courses],
        lessons_by_course=dict(lessons_by_course),
        staff_id=staff.pk,
        user_type_id=ContentType.objects.get_for_model(User).pk,
    )


def progress(message: str) -> None:
    """Say what a long run is doing, on stderr, so the report on stdout stays clean."""
    print(f"... {message}", file=sys.stderr, flush=True)


# --- Databases ----------------------------------------------------------------------------------


@dataclass
class Database:
    learners: int
    name: str  # the PostgreSQL database name or the SQLite file path
    wrapper: object = None  # its own Django connection, kept open between measurements
    builder: Builder | None = None
    build_seconds: float = 0.0
    rows: int = 0

    def connect(self) -> None:
        """Give the database a connection of its own, configured as the default one."""
        from django.db import connections
        from django.utils.module_loading import import_string

        settings_dict = {**connections.settings["default"], "NAME": self.name}
        backend = import_string(f"{settings_dict['ENGINE']}.base.DatabaseWrapper")
        self.wrapper = backend(settings_dict, "default")


def use_database(database: Database) -> None:
    """Make `database` the default connection; its connection stays open (a warm worker's).

    Swapping connections rather than reconnecting keeps each server process's caches warm, so
    a measurement does not pay for a new connection of its own.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    connections["default"] = database.wrapper
    database.wrapper.ensure_connection()
    ContentType.objects.clear_cache()  # content type ids are per database


def count_rows() -> int:
    from django.apps import apps

    return sum(model._base_manager.count() for model in apps.get_models())


def build_database(database: Database, password_hash: str, session_data: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    use_database(database)
    call_command("migrate", verbosity=0, skip_checks=True)
    call_command("createcachetable", verbosity=0)
    builder = Builder(build_catalogue(password_hash), password_hash, session_data)
    chunk = 2000
    progress(f"building the database of {database.learners} learners")
    for first in range(0, database.learners, chunk):
        builder.learners(first, min(chunk, database.learners - first))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    database.builder = builder
    database.rows = count_rows()
    database.build_seconds = time.perf_counter() - started


# --- Measuring ----------------------------------------------------------------------------------


class InvalidRun(Exception):
    pass


def personal_rows(user) -> Counter[str]:
    """Count the rows the declaration's walks find for `user`, per model."""
    from coursekeeper.privacy.declarations import registry
    from coursekeeper.privacy.people import Person

    person = Person.for_user(user)
    found: Counter[str] = Counter()
    for declaration in registry:
        if declaration.holds_personal_data:
            count = declaration.rows_for(person).count()
            if count:
                found[declaration.label] = count
    return found


def clear_enqueued() -> None:
    from django_tasks import default_task_backend

    default_task_backend.results.clear()


@dataclass
class Measurement:
    seconds: float
    sql_seconds: float  # time spent waiting on the database
    statements: int


class SqlClock:
    """Time every statement the default connection runs; keep each one if asked (for EXPLAIN)."""

    def __init__(self, keep: bool = False) -> None:
        self.seconds = 0.0
        self.statements = 0
        self.keep = keep
        self.kept: list[tuple[str, object, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.seconds += elapsed
            self.statements += 1
            if self.keep and not many:
                self.kept.append((sql, params, elapsed))


def timed(run, clock: SqlClock | None = None) -> Measurement:
    """Run `run()` once with every statement timed; return the wall and database times."""
    from django.db import connection

    clock = clock or SqlClock()
    gc.collect()
    with connection.execute_wrapper(clock):
        started = time.perf_counter()
        run()
        elapsed = time.perf_counter() - started
    return Measurement(elapsed, clock.seconds, clock.statements)


def timed_export(user, clock: SqlClock | None = None) -> Measurement:
    from coursekeeper.privacy.jobs import request_export, run_export_job
    from coursekeeper.privacy.models import ExportJob

    outcome = {}

    def export() -> None:
        outcome["job"] = request_export(user=user)
        outcome["finished"] = run_export_job(job_id=outcome["job"].pk)

    measurement = timed(export, clock)
    job, finished = outcome["job"], outcome["finished"]
    job = ExportJob.objects.get(pk=job.pk)
    if not finished or job.status != "done" or not job.file:
        raise InvalidRun(f"export job {job.pk} did not finish (status {job.status})")
    # The person's next export should not also carry this one's job row.
    job.file.delete(save=False)
    job.delete()
    clear_enqueued()
    return measurement


def timed_erasure(user, clock: SqlClock | None = None) -> Measurement:
    from coursekeeper.accounts.models import User
    from coursekeeper.privacy.jobs import request_erasure, run_erasure_job
    from coursekeeper.privacy.models import ErasureJob

    outcome = {}

    def erase() -> None:
        outcome["job"] = request_erasure(user=user)
        outcome["finished"] = run_erasure_job(job_id=outcome["job"].pk)

    measurement = timed(erase, clock)
    job, finished = outcome["job"], outcome["finished"]
    status = ErasureJob.objects.get(pk=job.pk).status
    if not finished or status != "done" or User.objects.filter(pk=user.pk).exists():
        raise InvalidRun(f"erasure job {job.pk} did not finish (status {status})")
    clear_enqueued()
    return measurement


Key = tuple[str, int, int]  # (operation, learners, person rows)
MEASUREMENTS = [(operation, size) for operation in ("export", "erasure") for size in PERSON_SIZES]


def measure(operation: str, size: int, database: Database, exported) -> Measurement:
    """Export the database's standing person of `size` rows, or erase a fresh one."""
    use_database(database)
    if operation == "export":
        return timed_export(exported[database.learners][size])
    return timed_erasure(database.builder.person(size))


# --- Finding sequential scans -------------------------------------------------------------------


@dataclass
class Scan:
    operation: str
    table: str
    rows: int
    milliseconds: float
    sql: str


def table_rows(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0]


def scanned_tables(sql: str, params) -> list[str]:
    """Return the tables the plan of `sql` reads in full (sequential or full-index scans)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
            return [
                line.split("Seq Scan on ", 1)[1].split()[0]
                for line in lines
                if "Seq Scan on " in line
            ]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        details = [row[-1] for row in cursor.fetchall()]
        return [d.split()[1] for d in details if d.startswith("SCAN ") and "CONSTANT" not in d]


def find_scans(database: Database) -> list[Scan]:
    """Run one export and one erasure of a 10,000-row person; return their full-table scans.

    EXPLAIN runs afterwards, on the statements as they were sent; the plans are the ones the
    database chooses for the same statements now (the erased rows are gone, the statistics not).
    """
    use_database(database)
    captured: list[tuple[str, str, object, float]] = []
    for operation, run in (("export", timed_export), ("erasure", timed_erasure)):
        clock = SqlClock(keep=True)
        run(database.builder.person(PERSON_SIZES[-1]), clock)
        captured += [(operation, *statement) for statement in clock.kept]
    scans: list[Scan] = []
    sizes: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for operation, sql, params, seconds in captured:
        if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
            continue
        if (operation, sql) in seen:
            continue
        seen.add((operation, sql))
        for table in scanned_tables(sql, params):
            if table not in sizes:
                sizes[table] = table_rows(table)
            if sizes[table] >= SCAN_REPORT_MIN_ROWS:
                scans.append(Scan(operation, table, sizes[table], seconds * 1000, sql))
    return scans


# --- The run ------------------------------------------------------------------------------------


def main() -> int:
    options = parse_arguments()
    began = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="coursekeeper-bench-rights-"))
    server_url = os.environ.get("DATABASE_URL")
    environment = {
        "DJANGO_SETTINGS_MODULE": "coursekeeper.settings",
        "COURSEKEEPER_VAR_DIR": str(scratch),
        "LOG_LEVEL": "WARNING",
    }
    sizes = (options.small, options.large)
    if server_url:
        names = {n: f"{options.database_prefix}_{n}" for n in sizes}
        urls = {n: create_postgres_database(server_url, names[n]) for n in sizes}
        environment["DATABASE_URL"] = urls[options.small]
        database_label = f"postgresql (scratch databases {', '.join(names.values())})"
    else:
        names = {n: str(scratch / f"bench-{n}.sqlite3") for n in sizes}
        environment["COURSEKEEPER_SQLITE_PATH"] = names[options.small]
        database_label = "sqlite (scratch files)"
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections
    from django.test.utils import override_settings

    databases = [Database(learners=n, name=names[n]) for n in sizes]
    timings: dict[Key, list[Measurement]] = defaultdict(list)
    found_rows: dict[int, Counter[str]] = {}
    scans: list[Scan] = []
    tasks = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    try:
        with override_settings(TASKS=tasks):
            if Path(settings.MEDIA_ROOT).resolve().parent != scratch.resolve():
                raise InvalidRun(f"MEDIA_ROOT {settings.MEDIA_ROOT} is not in the scratch dir")
            password_hash = make_password("bench-password-2026")  # hashed once, shared by all
            session_data = SessionStore().encode(
                {"_auth_user_id": "1", "_auth_user_backend": "allauth", "_auth_user_hash": "x" * 64}
            )
            exported: dict[int, dict[int, object]] = {}
            for database in databases:
                database.connect()
                build_database(database, password_hash, session_data)
                exported[database.learners] = {
                    size: database.builder.person(size) for size in PERSON_SIZES
                }
            for size, user in exported[databases[-1].learners].items():
                found_rows[size] = personal_rows(user)
            progress(f"measuring: a warm-up, then {options.repeat} rounds")
            for round_number in range(-1, options.repeat):  # round -1 warms up, not counted
                order = databases if round_number % 2 == 0 else databases[::-1]
                for operation, size in MEASUREMENTS:
                    for database in order:  # both sizes back to back: drift hits both alike
                        measurement = measure(operation, size, database, exported)
                        if round_number >= 0:
                            timings[(operation, database.learners, size)].append(measurement)
            progress("looking for full-table scans")
            scans = find_scans(databases[-1])
    except InvalidRun as error:
        print(f"the run is not valid: {error}")
        return 1
    finally:
        for database in databases:
            if database.wrapper is not None:
                database.wrapper.close()
        connections.close_all()
        if server_url:
            for name in names.values():
                drop_postgres_database(server_url, name)
        shutil.rmtree(scratch, ignore_errors=True)
    report(options, database_label, databases, found_rows, timings, scans)
    print(f"total seconds: {time.monotonic() - began:.0f}")
    return 0


def report(options, database_label, databases, found_rows, timings, scans) -> None:
    def median(operation: str, learners: int, size: int, part: str = "seconds") -> float:
        return statistics.median(getattr(m, part) for m in timings[(operation, learners, size)])

    small, large = databases
    few, many = PERSON_SIZES
    print("rights benchmark: export and erasure of one person (issue 5)")
    print(f"database: {database_label}")
    per_learner = sum(LEARNER_ROWS.values()) + 1
    print(f"each learner: about {per_learner} rows ({', '.join(LEARNER_ROWS)}, the account)")
    for database in databases:
        print(
            f"database of {database.learners} learners: {database.rows} rows, "
            f"built in {database.build_seconds:.0f} s"
        )
    for size in PERSON_SIZES:
        rows = found_rows[size]
        spread = ", ".join(f"{label} {count}" for label, count in rows.most_common())
        print(f"person of {size} rows: {sum(rows.values())} rows found by the walks ({spread})")
    print(
        f"repetitions: {options.repeat} of each, after a warm-up; both databases measured back "
        "to back, in alternating order"
    )
    print("medians (wall time, and of it the time waiting on SQL):")
    for operation, size in MEASUREMENTS:
        for database in databases:
            runs = timings[(operation, database.learners, size)]
            each = ", ".join(f"{m.seconds * 1000:.0f}" for m in runs)
            print(
                f"  {operation}, person of {size} rows, {database.learners} learners: "
                f"{median(operation, database.learners, size) * 1000:.1f} ms "
                f"(SQL {median(operation, database.learners, size, 'sql_seconds') * 1000:.1f} ms"
                f" in {runs[0].statements} statements; runs: {each})"
            )
    print("ratios:")
    for operation in ("export", "erasure"):
        for database in databases:
            ratio = median(operation, database.learners, many) / median(
                operation, database.learners, few
            )
            print(
                f"  {operation}: person({many} rows)/person({few} rows), "
                f"{database.learners} learners: {ratio:.2f}"
            )
    for operation in ("export", "erasure"):
        for size in (many, few):
            ratio, sql_ratio = (
                median(operation, large.learners, size, part)
                / median(operation, small.learners, size, part)
                for part in ("seconds", "sql_seconds")
            )
            pairs = statistics.median(
                big.seconds / little.seconds
                for big, little in zip(
                    timings[(operation, large.learners, size)],
                    timings[(operation, small.learners, size)],
                    strict=True,
                )
            )
            verdict = "met" if round(ratio, 2) <= DATABASE_RATIO_TARGET else "MISSED"
            print(
                f"  {operation}: database({large.learners})/database({small.learners}), "
                f"person of {size} rows: {ratio:.2f} (target <= {DATABASE_RATIO_TARGET}) "
                f"{verdict}; median of the per-round ratios {pairs:.2f}; "
                f"SQL time alone {sql_ratio:.2f}"
            )
    print(
        f"full-table scans in one export and one erasure of a {many}-row person, "
        f"{large.learners} learners (tables of {SCAN_REPORT_MIN_ROWS}+ rows):"
        + ("" if scans else " none")
    )
    for scan in scans:
        print(
            f"  {scan.operation}: {scan.table} ({scan.rows} rows), {scan.milliseconds:.1f} ms: "
            f"{scan.sql[:300]}"
        )


if __name__ == "__main__":
    sys.exit(main())
