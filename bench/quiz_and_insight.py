"""Benchmark grading a quiz attempt and the instructor's course statistics (issue 16, "Speed").

    .venv/bin/python bench/quiz_and_insight.py                        # SQLite, a scratch file
    DATABASE_URL=postgres://... .venv/bin/python bench/quiz_and_insight.py     # PostgreSQL
    .venv/bin/python bench/quiz_and_insight.py --profile "course page"   # where its time goes

Served and loaded exactly as `pages_against_bare_django.py` does it (`bench/_servers.py`:
gunicorn with 2 sync workers for coursekeeper and for the bare project, `wrk` from 127.0.0.1,
alternating rounds, every response with another status than the expected one counted).

One published course of 3 modules x 5 lessons (a video lesson first, a quiz lesson of 20
single-choice questions, unlimited attempts, second) taught by an instructor with an
authenticator app, whose session records a password and a TOTP step as allauth does after the
two-factor form. 10,000 learners are enrolled (bulk-created), each with progress on the first
0 to 15 lessons: opened, most of them done, after 1 to 49 minutes. The benchmark learner is one
of them.

Measured:
- quiz submission: POST /quiz/attempts/<id>/ with the right choice for each of the 20
  questions, form-encoded as the attempt's form sends it (session and CSRF cookies,
  X-CSRFToken header), answered 302 to the result page. Every request must submit an attempt
  that is still open, so before each wrk run the benchmark bulk-creates open attempts for the
  learner (more than the run can submit), writes their ids to a file, and the run's wrk script
  hands each thread every n-th id in turn: no id is sent twice, and a thread that runs out
  sends a request for attempt 0, which is refused and makes the run invalid. Starting an
  attempt is not measured (it is a different request); the time is the grading: the attempt
  locked, 20 answers parsed, graded and bulk-inserted, the score saved, the lesson marked done.
  After the run, the benchmark counts the attempts graded 100 %: they must match the requests.
  Its throughput is printed as a ratio to the lesson page's (GET /lessons/<video>/ by the same
  learner), measured in the same rounds (target: at least 0.3), and to the bare floor.
- course page: GET /teach/<slug>/ by the instructor: the outline and the statistics of the
  10,000 learners (funnel, drop-off, time per lesson, a page of pseudonymised rows), and
- quiz results: GET /teach/<slug>/lessons/<quiz>/quiz/results/, the quiz's figures per
  question, the one page that reads the attempts;
  both first with 1,000 submitted attempts of 20 answers on the quiz, then with 100,000
  (`--attempts`; bulk-created), printing the ratio of their times (requests per second at the
  small size over those at the large one; target: at most 1.3) and the SQL queries per request.
  Two connections (`--slow-connections`, one per worker) load these pages, in longer rounds
  (`--slow-duration`, 10 s): their requests take long enough that 16 would only queue. Each
  is also timed once in-process ("ms alone") when its queries are counted. On PostgreSQL the
  benchmark runs ANALYZE after each bulk seed, as autovacuum would have by then.

`--profile PAGE` ("course page", "quiz results", "quiz submission", "lesson page") measures
no load: it runs `--requests` requests in-process under cProfile, after the seed (with all
the attempts), and prints the costliest functions.

Exit status: 0 when every measurement is valid (a missed target is printed, not an error),
1 when a server or a request misbehaved.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from _quiz_seed import (
    LEARNERS,
    LESSONS_PER_MODULE,
    MODULES,
    POSITION_SECONDS,
    QUESTIONS,
    Seed,
    analyze,
    create_open_attempts,
    create_submitted_attempts,
    graded_in_full,
    seed,
)
from _scratch import drop_postgres_database
from _servers import (
    FLOOR_MARKER,
    WRK_SCRIPT,
    InvalidRun,
    Measurement,
    Target,
    check_once,
    mean,
    missing_tools,
    run_wrk,
    scratch_environment,
    start_both,
    stop_server,
)

BENCH_DATABASE = "coursekeeper_bench_quiz_insight"
FEW_ATTEMPTS = 1_000
SUBMISSION_TARGET = 0.3
FLATNESS_TARGET = 1.3

# Walks through the open attempts' ids in a file: thread k of n sends the ids at k, k + n, ...
# The usual four arguments (expected status, method, body, content type), then the file and n.
SUBMIT_SCRIPT = """
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1])
  body = args[3]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = args[4]
  local stride = tonumber(args[6])
  ids = {}
  local n = 0
  for line in io.lines(args[5]) do
    if n % stride == index then
      table.insert(ids, line)
    end
    n = n + 1
  end
  next_id = 1
  unexpected = 0
  ran_out = 0
end

function request()
  local id = ids[next_id]
  if id == nil then
    ran_out = ran_out + 1
    id = "0"
  end
  next_id = next_id + 1
  return wrk.format(nil, "/quiz/attempts/" .. id .. "/", nil, body)
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  local out = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
    out = out + thread:get("ran_out")
  end
  io.write(string.format("unexpected responses: %d\\n", total))
  io.write(string.format("ran out of attempts: %d\\n", out))
end
"""


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument(
        "--slow-connections", type=int, default=2, help="wrk connections for the statistics"
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured round")
    parser.add_argument(
        "--slow-duration", type=int, default=10, help="seconds per round of the statistics"
    )
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per target")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument(
        "--attempts", type=int, default=100_000, help="submitted attempts at the large size"
    )
    parser.add_argument(
        "--open-attempts-per-second",
        type=int,
        default=400,
        help="open attempts created per second of a submission run (more than it can submit)",
    )
    parser.add_argument("--profile", metavar="PAGE", help="profile one page in-process instead")
    parser.add_argument("--requests", type=int, default=50, help="requests to profile")
    options = parser.parse_args()
    if options.connections < options.threads:
        parser.error("wrk needs at least as many connections as threads")
    return options


def answers_body(seeded: Seed) -> str:
    return "&".join(
        f"question-{question_id}={choice_id}"
        for question_id, choice_id in seeded.right_choices.items()
    )


def statistics_targets(seeded: Seed, slow_connections: int) -> list[Target]:
    slug = seeded.course.slug
    return [
        Target(
            "course page",
            f"/teach/{slug}/",
            b'id="learners-heading"',
            headers=seeded.instructor_headers,
            connections=slow_connections,
        ),
        Target(
            "quiz results",
            f"/teach/{slug}/lessons/{seeded.quiz.lesson_id}/quiz/results/",
            b"<table",
            headers=seeded.instructor_headers,
            connections=slow_connections,
        ),
    ]


def lesson_target(seeded: Seed) -> Target:
    return Target(
        "lesson page",
        f"/lessons/{seeded.video_id}/",
        f'data-start-position="{POSITION_SECONDS:.1f}"'.encode(),
        headers=seeded.learner_headers,
    )


def submission_target(seeded: Seed, attempt_id: int) -> Target:
    """The submission of the attempt `attempt_id` (wrk's script swaps in a fresh id each time)."""
    return Target(
        "quiz submission",
        f"/quiz/attempts/{attempt_id}/",
        method="POST",
        body=answers_body(seeded),
        expected_status=302,
        headers=seeded.learner_headers,
        content_type="application/x-www-form-urlencoded",
    )


# --- In-process: queries and the profile ---------------------------------------------------------


def queries_of(target: Target) -> tuple[int, float]:
    """Return the SQL queries of one GET of `target` and its milliseconds in-process (of its
    second request)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for _attempt in range(2):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(target.path, headers=target.headers)
            took = (time.perf_counter() - started) * 1000
    if response.status_code != target.expected_status:
        raise InvalidRun(f"{target.label}: the test client got {response.status_code}")
    return len(captured.captured_queries), took


def profile_in_process(seeded: Seed, options: argparse.Namespace) -> None:
    import cProfile
    import pstats

    from django.test import Client

    targets = {t.label: t for t in [*statistics_targets(seeded, 1), lesson_target(seeded)]}
    label = options.profile
    if label not in [*targets, "quiz submission"]:
        raise InvalidRun(f"no page {label!r}; the pages are {', '.join(targets)}, quiz submission")
    client = Client()
    count = options.requests
    if label == "quiz submission":
        ids = iter(create_open_attempts(seeded, 2 * count + 5))
        body = answers_body(seeded)

        def one_request():
            return client.post(
                f"/quiz/attempts/{next(ids)}/",
                body,
                content_type="application/x-www-form-urlencoded",
                headers=seeded.learner_headers,
            )

        expected = 302
    else:
        target = targets[label]

        def one_request():
            return client.get(target.path, headers=target.headers)

        expected = 200
    for _warm in range(5):
        if one_request().status_code != expected:
            raise InvalidRun(f"{label}: the test client did not get {expected}")
    started = time.perf_counter()
    for _request in range(count):
        one_request()
    unprofiled = (time.perf_counter() - started) / count * 1000
    profile = cProfile.Profile()
    profile.runcall(lambda: [one_request() for _request in range(count)])
    print(f"{label}: {unprofiled:.1f} ms per request in-process without the profiler")
    print(f"profile of {count} requests (seconds for all of them, profiler included):")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(r"coursekeeper/|templatetags|compiler\.py", 30)
    stats.sort_stats("tottime").print_stats(15)


# --- The run ------------------------------------------------------------------------------------


@dataclass
class Rounds:
    page: list[Measurement]
    floor: list[Measurement]


def alternate(options, script, bases, target: Target, floor: Target) -> Rounds:
    """Measure `target` (for `--slow-duration`) and the floor (for `--duration`) in rounds, one
    after the other, the order swapped every round."""
    base, floor_base = bases
    measured = Rounds([], [])
    run_wrk(options, script, base, target, max(options.warmup, options.slow_duration // 2))
    for round_number in range(options.rounds):
        order = [
            (base, target, measured.page, options.slow_duration),
            (floor_base, floor, measured.floor, options.duration),
        ]
        for url, what, into, seconds in order if round_number % 2 == 0 else reversed(order):
            measurement = run_wrk(options, script, url, what, seconds)
            if measurement.requests_per_second == 0:
                raise InvalidRun(f"{what.label}: no request finished in {seconds} s")
            into.append(measurement)
    return measured


def verdict(met: bool, target: str) -> str:
    return f"{target} {'met' if met else 'MISSED'}"


def main() -> int:
    options = parse_arguments()
    missing = missing_tools()
    if missing and not options.profile:
        print("quiz and insight benchmark: not run")
        for line in missing:
            print(line)
        return 0

    began = time.monotonic()
    scratch_run = scratch_environment(
        prefix="coursekeeper-bench-quiz-", database=BENCH_DATABASE, workers=options.workers
    )
    scratch = scratch_run.directory

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    servers: list[subprocess.Popen] = []
    invalid: list[str] = []
    statistics: dict[tuple[str, int], Rounds] = {}
    queries: dict[tuple[str, int], tuple[int, float]] = {}
    seed_seconds: dict[int, float] = {}
    submissions: list[tuple[Measurement, Measurement, Measurement]] = []
    graded: list[tuple[int, float]] = []
    try:
        call_command("migrate", verbosity=0, skip_checks=True)
        call_command("createcachetable", verbosity=0)
        started = time.monotonic()
        seeded = seed()
        seed_seconds[0] = time.monotonic() - started
        sizes = [FEW_ATTEMPTS, options.attempts]
        if options.profile:
            create_submitted_attempts(seeded, options.attempts)
            analyze()
            profile_in_process(seeded, options)
            shutil.rmtree(scratch, ignore_errors=True)
            return 0
        started = time.monotonic()
        create_submitted_attempts(seeded, FEW_ATTEMPTS)
        seed_seconds[FEW_ATTEMPTS] = time.monotonic() - started
        analyze()
        connections.close_all()

        bases = start_both(scratch_run, servers)
        base, floor_base = bases
        script = scratch / "bench.lua"
        script.write_text(WRK_SCRIPT)
        submit_script = scratch / "submit.lua"
        submit_script.write_text(SUBMIT_SCRIPT)
        floor = Target("floor", "/", FLOOR_MARKER)
        check_once(floor_base, floor)
        run_wrk(options, script, floor_base, floor, options.warmup)

        # The statistics at the small size, then at the large one.
        for size in sizes:
            if size != FEW_ATTEMPTS:
                started = time.monotonic()
                create_submitted_attempts(seeded, size - FEW_ATTEMPTS)
                seed_seconds[size] = time.monotonic() - started
                analyze()
            for target in statistics_targets(seeded, options.slow_connections):
                check_once(base, target)
                queries[target.label, size] = queries_of(target)
                connections.close_all()
                statistics[target.label, size] = alternate(options, script, bases, target, floor)

        # Quiz submission next to the lesson page and the floor, in the same rounds.
        lesson = lesson_target(seeded)
        check_once(base, lesson)
        check_once(base, submission_target(seeded, create_open_attempts(seeded, 1)[0]))
        threads = min(options.threads, options.connections)

        def submission_run(seconds: int) -> Measurement:
            ids = create_open_attempts(seeded, seconds * options.open_attempts_per_second)
            ids_file = scratch / "attempts.txt"
            ids_file.write_text("".join(f"{pk}\n" for pk in ids))
            connections.close_all()
            target = submission_target(seeded, ids[0])
            target.script, target.script_args = submit_script, [str(ids_file), str(threads)]
            measurement = run_wrk(options, script, base, target, seconds)
            graded.append((graded_in_full(ids), measurement.requests_per_second * seconds))
            return measurement

        run_wrk(options, script, base, lesson, options.warmup)
        submission_run(options.warmup)
        for round_number in range(options.rounds):
            runs = {
                "lesson": lambda: run_wrk(options, script, base, lesson, options.duration),
                "submission": lambda: submission_run(options.duration),
                "floor": lambda: run_wrk(options, script, floor_base, floor, options.duration),
            }
            order = list(runs) if round_number % 2 == 0 else list(reversed(runs))
            results = {name: runs[name]() for name in order}
            submissions.append((results["submission"], results["lesson"], results["floor"]))
        connections.close_all()
    except InvalidRun as error:
        print(f"the run is not valid: {error}")
        print("server logs and scratch files kept in", scratch)
        return 1
    finally:
        for server in servers:
            stop_server(server)
        connections.close_all()
        if scratch_run.server_url:
            drop_postgres_database(scratch_run.server_url, BENCH_DATABASE)

    for label_and_size, rounds in statistics.items():
        for measurement in rounds.page + rounds.floor:
            if measurement.unexpected:
                invalid.append(f"{label_and_size}: {measurement.unexpected} unexpected statuses")
    for trio in submissions:
        for name, measurement in zip(
            ["quiz submission", "lesson page", "floor"], trio, strict=True
        ):
            if measurement.unexpected:
                invalid.append(
                    f"{name}: {measurement.unexpected} responses of an unexpected status"
                )
    short = [(g, sent) for g, sent in graded if g < 0.9 * sent]
    if short:
        invalid.append(f"fewer attempts graded 100 % than submissions answered: {short}")

    print("quiz grading and course statistics (issue 16)")
    print(f"database: {scratch_run.database_label}")
    print(
        f"servers: gunicorn, {options.workers} sync workers each, coursekeeper and the bare project"
    )
    print(
        f"load: wrk -t{options.threads}, -c{options.connections} (statistics pages "
        f"-c{options.slow_connections}); {options.rounds} rounds of {options.duration} s per "
        f"page ({options.slow_duration} s for the statistics), each next to a round of the "
        f"floor, after a warm-up"
    )
    print(
        f"data: one course of {MODULES} x {LESSONS_PER_MODULE} lessons, {LEARNERS} learners "
        f"enrolled with progress, a quiz of {QUESTIONS} questions; seeded in "
        f"{seed_seconds[0]:.0f} s, {FEW_ATTEMPTS} attempts in {seed_seconds[FEW_ATTEMPTS]:.0f} s, "
        f"{options.attempts - FEW_ATTEMPTS} more in {seed_seconds.get(options.attempts, 0):.0f} s"
    )
    print()
    quiz_rate = mean([s for s, _l, _f in submissions])
    lesson_rate = mean([lesson for _s, lesson, _f in submissions])
    floor_rate = mean([f for _s, _l, f in submissions])
    ratio = quiz_rate / lesson_rate
    print(f"{'quiz submission (20 answers)':<34}{quiz_rate:>8.1f} req/s")
    print(f"{'lesson page, same rounds':<34}{lesson_rate:>8.1f} req/s")
    print(f"{'floor, same rounds':<34}{floor_rate:>8.1f} req/s")
    met = round(ratio, 2) >= SUBMISSION_TARGET
    print(
        f"submission / lesson page: {ratio:.3f}  {verdict(met, f'>= {SUBMISSION_TARGET}')}; "
        f"submission / floor: {quiz_rate / floor_rate:.4f}"
    )
    print(
        "rounds, submission/lesson/floor req/s: "
        + ", ".join(
            f"{s.requests_per_second:.0f}/{lesson.requests_per_second:.0f}/"
            f"{f.requests_per_second:.0f}"
            for s, lesson, f in submissions
        )
    )
    print(
        "attempts graded 100 % per run / requests answered: "
        + ", ".join(f"{g}/{sent:.0f}" for g, sent in graded)
    )
    print()
    print(
        f"{'page':<14}{'attempts':>9}{'page req/s':>11}{'ms/req':>8}{'floor req/s':>13}"
        f"{'ratio':>8}{'queries':>9}{'ms alone':>10}"
    )
    for (label, size), rounds in statistics.items():
        rate = mean(rounds.page)
        print(
            f"{label:<14}{size:>9}{rate:>11.1f}{1000 * options.workers / rate:>8.0f}"
            f"{mean(rounds.floor):>13.0f}{rate / mean(rounds.floor):>8.4f}"
            f"{queries[label, size][0]:>9}{queries[label, size][1]:>10.0f}"
        )
    print(
        "(ms/req: the workers' time per request, workers / requests per second; ms alone: one "
        "request in-process, nothing else running on the server)"
    )
    for label in dict.fromkeys(label for label, _size in statistics):
        small, large = (mean(statistics[label, size].page) for size in sizes)
        flatness = small / large
        print(
            f"{label}: time at {sizes[1]} attempts / at {sizes[0]}: {flatness:.2f}  "
            f"{verdict(round(flatness, 2) <= FLATNESS_TARGET, f'<= {FLATNESS_TARGET}')}"
        )
    errors = [
        m.socket_errors
        for rounds in statistics.values()
        for m in rounds.page + rounds.floor
        if m.socket_errors
    ] + [m.socket_errors for trio in submissions for m in trio if m.socket_errors]
    if errors:
        print(f"socket errors: {'; '.join(errors)}")
    for line in invalid:
        print(f"not valid: {line}")
    print(f"total seconds: {time.monotonic() - began:.0f}")
    if invalid:
        print("server logs and scratch files kept in", scratch)
        return 1
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
