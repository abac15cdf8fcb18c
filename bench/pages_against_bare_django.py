"""Benchmark coursekeeper's pages against a bare Django project served the same way (issue 20).

    .venv/bin/python bench/pages_against_bare_django.py                  # SQLite, a scratch file
    DATABASE_URL=postgres://... .venv/bin/python bench/pages_against_bare_django.py   # PostgreSQL
    .venv/bin/python bench/pages_against_bare_django.py --profile "lesson page"   # where it goes

The floor is `bench/bare_django/`: Django's defaults as `startproject` writes them (its seven
middleware, SQLite, DEBUG off) and one view returning about 4 KB of HTML, the least any Django
page costs. Each page is measured against it, so the ratio page/floor shows what coursekeeper
adds on top of Django: its middleware stack, its queries, its templates. A bare view inside
coursekeeper's own stack would hide the stack's cost.

Pages, each with `wrk` from 127.0.0.1 (16 connections):
- home: GET / signed out;
- catalogue: GET /courses/ signed out;
- lesson page: GET /lessons/<id>/ of a video lesson by a signed-in, enrolled learner;
- dashboard: GET /dashboard/ by the same learner;
- progress save: POST /progress/ {"lesson": id, "position_seconds": x} as player.js sends it
  (session and CSRF cookies, X-CSRFToken header), answered 204;
- request queue: GET /staff/requests/ by a privacy officer with an authenticator app whose
  session passed two-factor.
For each page it prints the requests per second of the page and of the floor measured in the
same rounds, their ratio against the issue's target (lesson page, catalogue and progress save
>= 0.25 of the floor, dashboard >= 0.15; home and request queue for information), the SQL
queries one request runs and how many of them write. A signed-in GET should write nothing
between the session's once-a-minute activity stamps; the benchmark says whether it does.

Design:
- Both servers run with the same gunicorn command (sync workers, 2 by default, bound to a free
  loopback port), differing only in the WSGI application and its settings module; both run
  during the whole measurement, so they share the machine alike.
- The benchmark never touches the developer's data: coursekeeper's database is a file in a
  fresh temporary directory on SQLite, or the database `coursekeeper_bench_pages` on the server
  DATABASE_URL points at, created afresh and dropped at the end. DEBUG is off in both projects.
- Seed data: a few published courses with modules and lessons, a learner enrolled in most of
  them who finished a third of the lessons, some open privacy requests, and the officer. The
  sessions are made in-process (Django's test client signs in; the officer's session records a
  password and a TOTP step, as allauth does after the two-factor form) and their cookies
  handed to wrk.
- Queries are counted in-process with the test client and CaptureQueriesContext, on the second
  request of each page (the first may stamp the session's activity).
- Each target is checked once before the load (status code and a piece of its content), then
  warmed up, then measured in rounds: page and floor one after the other, the order swapped
  every round, so a drift of the shared machine hits both alike. The wrk script counts every
  response whose status is not the expected one (wrk itself counts a 3xx as success: a session
  that lost its sign-in would look fast); one such response makes the run invalid.
- `--profile PAGE` measures no load: it runs 500 requests of PAGE with the test client under
  cProfile, on the same seed data, and prints the time per request and the costliest functions
  (the project's own, template tags and the ORM's SQL compiler first), to see where a page's
  time goes. It needs neither wrk nor gunicorn.
- The servers are stopped at the end whatever happens. Without wrk or gunicorn the benchmark
  says how to install them and exits 0 without measuring.
Exit status: 0 when every measurement is valid (a missed target is printed, not an error),
1 when a server or a request misbehaved.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

from _scratch import drop_postgres_database
from _servers import (
    FLOOR_MARKER,
    WRK_SCRIPT,
    InvalidRun,
    Measurement,
    Target,
    bare_page,
    check_once,
    mean,
    missing_tools,
    run_wrk,
    scratch_environment,
    session_headers,
    start_both,
    stop_server,
)

BENCH_DATABASE = "coursekeeper_bench_pages"
POSITION_SECONDS = 42.5
COURSES = 4
MODULES_PER_COURSE = 3
LESSONS_PER_MODULE = 5
OPEN_REQUESTS = 12


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured round")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per target")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        help='instead of the load, profile one page in-process (e.g. "lesson page")',
    )
    parser.add_argument("--requests", type=int, default=500, help="requests to profile")
    options = parser.parse_args()
    if options.connections < options.threads:
        parser.error("wrk needs at least as many connections as threads")
    return options


# --- Seed data and sessions ---------------------------------------------------------------------


@dataclass
class Seed:
    course_title: str
    video_id: int
    learner_headers: dict[str, str]
    officer_headers: dict[str, str]
    request_id: int


def create_courses_and_learner():
    """Create the published courses and a learner enrolled in all but the last; return them.

    The learner has finished a third of the lessons, so outlines and progress bars have real
    work to do, and has a saved position in the first course's video lesson.
    """
    from django.utils import timezone

    from coursekeeper.accounts.factories import UserFactory
    from coursekeeper.learning.factories import (
        CourseFactory,
        EnrollmentFactory,
        LessonFactory,
        LessonProgressFactory,
        ModuleFactory,
        VideoLessonFactory,
    )

    now = timezone.now()
    learner = UserFactory()
    courses = []
    video = None
    for course_number in range(1, COURSES + 1):
        course = CourseFactory(title=f"Benchmark course {course_number}")
        courses.append(course)
        if course_number < COURSES:
            EnrollmentFactory(learner=learner, course=course)
        for module_number in range(MODULES_PER_COURSE):
            module = ModuleFactory(course=course, position=module_number)
            for lesson_number in range(LESSONS_PER_MODULE):
                if video is None:
                    video = VideoLessonFactory(module=module, position=0, duration_seconds=600)
                    LessonProgressFactory(
                        learner=learner, lesson=video, position_seconds=POSITION_SECONDS
                    )
                    continue
                lesson = LessonFactory(module=module, position=lesson_number)
                if lesson.pk % 3 == 0 and course_number < COURSES:
                    LessonProgressFactory(
                        learner=learner, lesson=lesson, position_seconds=0, completed_at=now
                    )
    assert video is not None
    return learner, courses[0], video


def create_officer_and_requests():
    """Create a privacy officer with an authenticator app, and open requests for the queue."""
    from coursekeeper.accounts.choices import Role
    from coursekeeper.accounts.factories import StaffFactory
    from coursekeeper.privacy.factories import AuthenticatorFactory, RightsRequestFactory

    officer = StaffFactory(role=Role.PRIVACY_OFFICER)
    authenticator = AuthenticatorFactory(user=officer)
    requests = [RightsRequestFactory() for _ in range(OPEN_REQUESTS)]
    return officer, authenticator, requests[0].pk


def seed() -> Seed:
    learner, course, video = create_courses_and_learner()
    officer, authenticator, request_id = create_officer_and_requests()
    return Seed(
        course_title=course.title,
        video_id=video.pk,
        learner_headers=session_headers(learner),
        officer_headers=session_headers(officer, authenticator=authenticator),
        request_id=request_id,
    )


def pages(seeded: Seed) -> list[Target]:
    body = json.dumps({"lesson": seeded.video_id, "position_seconds": POSITION_SECONDS})
    learner = seeded.learner_headers
    return [
        Target("home", "/", marker=b"<h1>Welcome to "),
        Target("catalogue", "/courses/", seeded.course_title.encode(), target_ratio=0.25),
        Target(
            "lesson page",
            f"/lessons/{seeded.video_id}/",
            f'data-start-position="{POSITION_SECONDS:.1f}"'.encode(),
            headers=learner,
            target_ratio=0.25,
        ),
        Target(
            "dashboard",
            "/dashboard/",
            seeded.course_title.encode(),
            headers=learner,
            target_ratio=0.15,
        ),
        Target(
            "progress save",
            "/progress/",
            method="POST",
            body=body,
            expected_status=204,
            headers=learner,
            target_ratio=0.25,
        ),
        Target(
            "request queue",
            "/staff/requests/",
            f'href="/staff/requests/{seeded.request_id}/"'.encode(),
            headers=seeded.officer_headers,
        ),
    ]


# --- In-process: queries and writes -------------------------------------------------------------

WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class Queries:
    total: int
    writes: list[str]


def queries_per_request(targets: list[Target]) -> dict[str, Queries]:
    """Return the queries one request of each target runs, on its second request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for target in targets:
        client = Client()
        for _attempt in range(2):
            with CaptureQueriesContext(connection) as captured:
                if target.method == "POST":
                    response = client.post(
                        target.path,
                        target.body,
                        content_type="application/json",
                        headers=target.headers,
                    )
                else:
                    response = client.get(target.path, headers=target.headers)
        if response.status_code != target.expected_status:
            raise InvalidRun(f"{target.label}: the test client got {response.status_code}")
        statements = [query["sql"] for query in captured.captured_queries]
        writes = [sql for sql in statements if sql.lstrip().upper().startswith(WRITES)]
        counts[target.label] = Queries(len(statements), writes)
    return counts


def profile_in_process(targets: list[Target], label: str, requests: int) -> None:
    """Run `requests` requests of the page `label` with the test client under cProfile; print
    the milliseconds per request without the profiler and the functions costing most."""
    import cProfile
    import pstats

    from django.test import Client

    by_label = {target.label: target for target in targets}
    if label not in by_label:
        raise InvalidRun(f"no page {label!r}; the pages are {', '.join(by_label)}")
    target = by_label[label]
    client = Client()

    def one_request():
        if target.method == "POST":
            return client.post(
                target.path, target.body, content_type="application/json", headers=target.headers
            )
        return client.get(target.path, headers=target.headers)

    for _warm in range(5):
        if one_request().status_code != target.expected_status:
            raise InvalidRun(f"{label}: the test client did not get {target.expected_status}")
    started = time.perf_counter()
    for _request in range(requests):
        one_request()
    unprofiled = (time.perf_counter() - started) / requests * 1000
    profile = cProfile.Profile()
    profile.runcall(lambda: [one_request() for _request in range(requests)])
    print(f"{label}: {unprofiled:.1f} ms per request in-process without the profiler")
    print(f"profile of {requests} requests (seconds for all of them, profiler included):")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(r"coursekeeper/|templatetags|compiler\.py", 40)
    stats.sort_stats("tottime").print_stats(20)


def written_table(sql: str) -> str:
    match = re.search(r'(?:INTO|UPDATE|FROM)\s+"?([\w.]+)"?', sql, re.IGNORECASE)
    return match.group(1) if match else sql[:40]


# --- The run ------------------------------------------------------------------------------------


def main() -> int:
    options = parse_arguments()
    missing = missing_tools()
    if missing and not options.profile:
        print("pages against bare Django benchmark: not run")
        for line in missing:
            print(line)
        return 0

    began = time.monotonic()
    scratch_run = scratch_environment(
        prefix="coursekeeper-bench-pages-", database=BENCH_DATABASE, workers=options.workers
    )
    scratch, server_url = scratch_run.directory, scratch_run.server_url

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    servers: list[subprocess.Popen] = []
    results: dict[str, tuple[list[Measurement], list[Measurement]]] = {}
    invalid: list[str] = []
    try:
        call_command("migrate", verbosity=0, skip_checks=True)
        call_command("createcachetable", verbosity=0)
        targets = pages(seed())
        if options.profile:
            profile_in_process(targets, options.profile, options.requests)
            shutil.rmtree(scratch, ignore_errors=True)
            return 0
        queries = queries_per_request(targets)
        connections.close_all()

        base, floor_base = start_both(scratch_run, servers)
        floor = Target("floor", "/", FLOOR_MARKER)
        check_once(floor_base, floor)
        for target in targets:
            check_once(base, target)

        script = scratch / "bench.lua"
        script.write_text(WRK_SCRIPT)
        run_wrk(options, script, floor_base, floor, options.warmup)
        for target in targets:
            run_wrk(options, script, base, target, options.warmup)
        for round_number in range(options.rounds):
            for target in targets:
                page_rounds, floor_rounds = results.setdefault(target.label, ([], []))
                order = [(base, target), (floor_base, floor)]
                for url, measured in order if round_number % 2 == 0 else reversed(order):
                    measurement = run_wrk(options, script, url, measured, options.duration)
                    (page_rounds if measured is target else floor_rounds).append(measurement)
                    if measurement.unexpected:
                        invalid.append(
                            f"{measured.label} (next to {target.label}): "
                            f"{measurement.unexpected} responses with an unexpected status"
                        )
    except InvalidRun as error:
        print(f"the run is not valid: {error}")
        print("server logs and scratch files kept in", scratch)
        return 1
    finally:
        for server in servers:
            stop_server(server)
        connections.close_all()
        if server_url:
            drop_postgres_database(server_url, BENCH_DATABASE)

    print("pages against a bare Django project (issue 20)")
    print(f"database: {scratch_run.database_label}")
    print(
        f"servers: gunicorn, {options.workers} sync workers each, coursekeeper and the bare "
        f"project (startproject's middleware, one view of {len(bare_page())} bytes of HTML)"
    )
    print(
        f"load: wrk -t{options.threads} -c{options.connections}; per page {options.rounds} "
        f"rounds of {options.duration} s, each next to a round of the floor, after "
        f"{options.warmup} s of warm-up"
    )
    print(
        f"data: {COURSES} courses of {MODULES_PER_COURSE} x {LESSONS_PER_MODULE} lessons, "
        f"{OPEN_REQUESTS} open privacy requests"
    )
    print()
    print(
        f"{'page':<15}{'page req/s':>11}{'floor req/s':>13}{'ratio':>7}  {'target':<15}"
        f"{'queries':>8}{'writes':>8}"
    )
    for target in targets:
        page_rounds, floor_rounds = results[target.label]
        ratio = mean(page_rounds) / mean(floor_rounds)
        if target.target_ratio is None:
            verdict = "(information)"
        else:
            met = round(ratio, 2) >= target.target_ratio
            verdict = f">= {target.target_ratio:.2f} {'met' if met else 'MISSED'}"
        counted = queries[target.label]
        print(
            f"{target.label:<15}{mean(page_rounds):>11.0f}{mean(floor_rounds):>13.0f}"
            f"{ratio:>7.3f}  {verdict:<15}{counted.total:>8}{len(counted.writes):>8}"
        )
    print()
    for target in targets:
        page_rounds, floor_rounds = results[target.label]
        print(
            f"{target.label} rounds, page/floor req/s: "
            + ", ".join(
                f"{p.requests_per_second:.0f}/{f.requests_per_second:.0f}"
                for p, f in zip(page_rounds, floor_rounds, strict=True)
            )
        )
        errors = [m.socket_errors for m in page_rounds + floor_rounds if m.socket_errors]
        if errors:
            print(f"  socket errors: {'; '.join(errors)}")
    signed_in_gets = [t for t in targets if t.method == "GET" and t.headers]
    for target in signed_in_gets:
        writes = queries[target.label].writes
        tables = ", ".join(sorted({written_table(sql) for sql in writes}))
        print(
            f"signed-in GET {target.label}: "
            + (f"writes {len(writes)} times ({tables})" if writes else "writes nothing")
            + " between activity stamps"
        )
    for line in invalid:
        print(f"not valid: {line}")
    print(f"total seconds: {time.monotonic() - began:.0f}")
    if invalid:
        print("server logs and scratch files kept in", scratch)
        return 1
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
