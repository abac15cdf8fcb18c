"""Benchmark the lesson page and the progress save against bare Django views on one server (R5).

    .venv/bin/python bench/lesson_and_progress.py                  # SQLite, a scratch file
    DATABASE_URL=postgres://... .venv/bin/python bench/lesson_and_progress.py   # PostgreSQL

What is measured, in one run and on one server process, with `wrk` from 127.0.0.1:
- lesson page: GET /lessons/<id>/ of a video lesson by a signed-in, enrolled learner;
- progress save: POST /progress/ {"lesson": id, "position_seconds": x} as player.js sends it
  (session cookie, csrftoken cookie, X-CSRFToken header);
- bare GET: a view returning HttpResponse("ok"), with the same cookies, so it pays the same
  middleware (session, user, allauth's session tracking) and only the view differs;
- bare POST: a view that parses the same JSON and runs one UPDATE of one row, same cookies;
- bare GET, signed out: for information, the cost of the middleware without a session.
It prints requests per second and the ratios lesson page / bare GET (target >= 0.5) and
progress save / bare POST (target >= 0.7), and the queries each request runs.

Design:
- The server is gunicorn (sync workers, like a production deployment behind a proxy) on a free
  loopback port. The bare views are added by this module itself: the server loads
  `lesson_and_progress:server_application()`, which puts this module's `urlpatterns` (the bare
  views, then the whole of `coursekeeper.urls`) in ROOT_URLCONF. Everything stays in this one
  file because `make bench` runs every bench/*.py as a benchmark.
- The benchmark never touches the developer's data: on SQLite it uses a database file in a fresh
  temporary directory; on PostgreSQL it creates `coursekeeper_bench_web` on the server
  DATABASE_URL points at (dropping a leftover one first) and drops it at the end. DEBUG is off.
- Each target is checked once before the load (status code and, for the page, its content), then
  warmed up, then measured in alternating rounds, so a slow drift of the machine hits every
  target alike. A response with an unexpected status during the load makes the run invalid.
- The server is stopped at the end whatever happens. Without wrk or gunicorn the benchmark says
  how to install them and exits 0 without measuring.
Exit status: 0 when every measurement is valid (a missed target is printed, not an error),
1 when the server or a request misbehaved.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from _scratch import create_postgres_database, drop_postgres_database, free_port

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "coursekeeper_bench_web"
LESSON_PAGE_TARGET = 0.5
PROGRESS_SAVE_TARGET = 0.7
POSITION_SECONDS = 42.5

# One wrk script for every target: the method, body and expected status come as arguments, and
# every response with another status is counted (wrk itself counts 3xx as success, so a session
# that lost its sign-in and was redirected to the login page would otherwise look fast).
WRK_SCRIPT = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1])
  unexpected = 0
  if args[2] == "POST" then
    wrk.method = "POST"
    wrk.body = args[3]
    wrk.headers["Content-Type"] = "application/json"
  end
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
  end
  io.write(string.format("unexpected responses: %d\\n", total))
end
"""

# Filled in by `install_bench_urls()`: the server's URLconf is this module.
urlpatterns: list = []


def bare_get(request):
    """Answer "ok": the floor for a GET through the full middleware stack."""
    from django.http import HttpResponse

    return HttpResponse("ok")


def bare_write(request, enrollment_id: int):
    """Parse the progress JSON and run one UPDATE of one row: the floor for a small write."""
    from django.http import HttpResponse, HttpResponseNotAllowed
    from django.utils import timezone

    from coursekeeper.learning.models import Enrollment

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    payload = json.loads(request.body)
    float(payload["position_seconds"])  # parsed as the progress view parses it
    Enrollment.objects.filter(pk=enrollment_id).update(last_activity_at=timezone.now())
    return HttpResponse(status=204)


def install_bench_urls() -> None:
    """Serve the bare views next to the whole project; call after `django.setup()`."""
    from django.conf import settings
    from django.urls import include, path

    urlpatterns[:] = [
        path("bench/bare/", bare_get),
        path("bench/bare-write/<int:enrollment_id>/", bare_write),
        path("", include("coursekeeper.urls")),
    ]
    # There is no environment hook for ROOT_URLCONF in settings.py, and a settings module of
    # its own in bench/ would be run by `make bench` as one more benchmark; overriding the one
    # setting at startup, as override_settings does, keeps the benchmark in this file.
    settings.ROOT_URLCONF = __name__


def server_application():
    """Return the WSGI application gunicorn serves: the project plus the bare views."""
    import django
    from django.core.wsgi import get_wsgi_application

    django.setup(set_prefix=False)
    install_bench_urls()
    return get_wsgi_application()


@dataclass
class Target:
    label: str
    path: str
    method: str = "GET"
    body: str = ""
    expected_status: int = 200
    signed_in: bool = True


@dataclass
class Measurement:
    requests_per_second: float
    unexpected: int
    socket_errors: str


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--duration", type=int, default=4, help="seconds per measured round")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per target")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per target")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--modules", type=int, default=5, help="modules in the course")
    parser.add_argument("--lessons", type=int, default=5, help="lessons per module")
    options = parser.parse_args()
    if options.connections < options.threads:
        parser.error("wrk needs at least as many connections as threads")
    return options


def missing_tools() -> list[str]:
    """Return how to install each tool the benchmark needs and does not find."""
    missing = []
    if shutil.which("wrk") is None:
        missing.append("wrk is not installed; on Debian: sudo apt-get install wrk")
    if importlib.util.find_spec("gunicorn") is None:
        missing.append(f"gunicorn is not installed; {sys.executable} -m pip install gunicorn")
    return missing


def create_learner_and_course(modules: int, lessons_per_module: int):
    """Create a published course, a learner enrolled in it with some progress; return them.

    The course has `modules` x `lessons_per_module` lessons, the first of them the video lesson
    the page is measured on, and the learner has finished a third of the others, so the outline
    and the progress bar have real work to do.
    """
    from coursekeeper.accounts.factories import UserFactory
    from coursekeeper.learning.factories import (
        CourseFactory,
        EnrollmentFactory,
        LessonFactory,
        LessonProgressFactory,
        ModuleFactory,
        VideoLessonFactory,
    )

    course = CourseFactory(title="Benchmark course")
    learner = UserFactory()
    enrollment = EnrollmentFactory(learner=learner, course=course)
    video = None
    for module_number in range(modules):
        module = ModuleFactory(course=course, position=module_number)
        for lesson_number in range(lessons_per_module):
            if video is None:
                video = VideoLessonFactory(module=module, position=0, duration_seconds=600)
                continue
            lesson = LessonFactory(module=module, position=lesson_number)
            if lesson.pk % 3 == 0:
                LessonProgressFactory(learner=learner, lesson=lesson, position_seconds=0)
    return learner, enrollment, video


@dataclass
class Credentials:
    """What player.js sends with each save: the cookies and the CSRF token in a header."""

    cookie_header: str
    csrf_token: str

    def headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie_header, "X-CSRFToken": self.csrf_token}


def sign_in(learner) -> Credentials:
    """Sign in through the login page, as a person does; return the session's credentials."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from coursekeeper.accounts.factories import PASSWORD

    client = Client()
    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"signing in answered {response.status_code}")
    client.get(reverse("learning:dashboard"))  # a page with a form sets the CSRF cookie
    session, csrf = (
        client.cookies[name].value
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    )
    return Credentials(
        cookie_header=f"{settings.SESSION_COOKIE_NAME}={session}; "
        f"{settings.CSRF_COOKIE_NAME}={csrf}",
        # The unmasked secret is a valid X-CSRFToken value, as the masked form in a page is.
        csrf_token=csrf,
    )


def queries_per_request(targets: list[Target], credentials: Credentials) -> dict[str, int]:
    """Return how many SQL queries one request of each target runs (after one warm request)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for target in targets:
        client = Client()
        headers = credentials.headers() if target.signed_in else {}
        for _attempt in range(2):
            with CaptureQueriesContext(connection) as captured:
                if target.method == "POST":
                    response = client.post(
                        target.path, target.body, content_type="application/json", headers=headers
                    )
                else:
                    response = client.get(target.path, headers=headers)
        if response.status_code != target.expected_status:
            raise RuntimeError(f"{target.label}: test client got {response.status_code}")
        counts[target.label] = len(captured.captured_queries)
    return counts


def request_once(base: str, target: Target, credentials: Credentials) -> tuple[int, bytes]:
    """Send one request of `target` to the server (no redirects followed); return status, body."""
    request = urllib.request.Request(base + target.path, method=target.method)  # noqa: S310
    for name, value in (credentials.headers() if target.signed_in else {}).items():
        request.add_header(name, value)
    if target.method == "POST":
        request.data = target.body.encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - 127.0.0.1
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_for_server(base: str, server: subprocess.Popen, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(base + "/bench/bare/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def run_wrk(
    options: argparse.Namespace,
    script: Path,
    base: str,
    target: Target,
    credentials: Credentials,
    seconds: int,
) -> Measurement:
    command = ["wrk", f"-t{options.threads}", f"-c{options.connections}", f"-d{seconds}s"]
    command += ["--timeout", "10s", "-s", str(script)]
    for name, value in (credentials.headers() if target.signed_in else {}).items():
        command += ["-H", f"{name}: {value}"]
    command += [base + target.path, "--", str(target.expected_status), target.method, target.body]
    result = subprocess.run(  # noqa: S603 - wrk against our own loopback server
        command, capture_output=True, text=True, timeout=seconds + 30, check=False
    )
    output = result.stdout + result.stderr
    rate = re.search(r"Requests/sec:\s*([0-9.]+)", output)
    unexpected = re.search(r"unexpected responses: (\d+)", output)
    non_success = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    if result.returncode != 0 or rate is None or unexpected is None:
        raise RuntimeError(f"wrk failed for {target.label}:\n{output}")
    return Measurement(
        requests_per_second=float(rate.group(1)),
        unexpected=int(unexpected.group(1)) + (int(non_success.group(1)) if non_success else 0),
        socket_errors=errors.group(1) if errors else "",
    )


def main() -> int:
    options = parse_arguments()
    missing = missing_tools()
    if missing:
        print("lesson and progress benchmark: not run")
        for line in missing:
            print(line)
        return 0

    began = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="coursekeeper-bench-web-"))
    server_url = os.environ.get("DATABASE_URL")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coursekeeper.settings",
        "COURSEKEEPER_ENV": "development",
        "DJANGO_DEBUG": "false",
        "COURSEKEEPER_VAR_DIR": str(scratch),
        "LOG_LEVEL": "WARNING",
    }
    environment.pop("DJANGO_ALLOWED_HOSTS", None)  # the development default has 127.0.0.1
    if server_url:
        environment["DATABASE_URL"] = create_postgres_database(server_url, BENCH_DATABASE)
        database_label = f"postgresql (scratch database {BENCH_DATABASE})"
    else:
        environment["COURSEKEEPER_SQLITE_PATH"] = str(scratch / "bench.sqlite3")
        database_label = "sqlite (scratch file)"
    os.environ.pop("DJANGO_ALLOWED_HOSTS", None)
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup(set_prefix=False)
    install_bench_urls()
    from django.core.management import call_command
    from django.db import connections

    server: subprocess.Popen[bytes] | None = None
    log_path = scratch / "server.log"
    results: dict[str, list[Measurement]] = {}
    ok = True
    try:
        call_command("migrate", verbosity=0, skip_checks=True)
        call_command("createcachetable", verbosity=0)
        learner, enrollment, video = create_learner_and_course(options.modules, options.lessons)
        credentials = sign_in(learner)
        body = json.dumps({"lesson": video.pk, "position_seconds": POSITION_SECONDS})
        lesson_page = Target("lesson page", f"/lessons/{video.pk}/")
        progress_save = Target(
            "progress save", "/progress/", method="POST", body=body, expected_status=204
        )
        bare = Target("bare GET", "/bench/bare/")
        bare_post = Target(
            "bare POST", f"/bench/bare-write/{enrollment.pk}/", "POST", body, expected_status=204
        )
        bare_signed_out = Target("bare GET, signed out", "/bench/bare/", signed_in=False)
        targets = [lesson_page, bare, progress_save, bare_post, bare_signed_out]
        queries = queries_per_request(targets, credentials)
        connections.close_all()

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with log_path.open("wb") as log:
            server = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(options.workers),
                    "--chdir",
                    str(ROOT),
                    "--pythonpath",
                    f"{ROOT / 'bench'},{ROOT}",
                    "--log-level",
                    "warning",
                    "lesson_and_progress:server_application()",
                ],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if not wait_for_server(base, server):
            print("the server did not start; its log:")
            print(log_path.read_text())
            return 1

        # Each target once, without following redirects: a wrong status means no valid run.

        urllib.request.install_opener(urllib.request.build_opener(NoRedirects))
        for target in targets:
            status, _content = request_once(base, target, credentials)
            if status != target.expected_status:
                print(f"{target.label}: expected {target.expected_status}, got {status}")
                print("server log and scratch files kept in", scratch)
                return 1
        status, content = request_once(base, lesson_page, credentials)
        if f'data-start-position="{POSITION_SECONDS:.1f}"'.encode() not in content:
            print("the lesson page does not show the saved position; the run is not valid")
            print("server log and scratch files kept in", scratch)
            return 1

        script = scratch / "bench.lua"
        script.write_text(WRK_SCRIPT)
        for target in targets:
            run_wrk(options, script, base, target, credentials, options.warmup)
        for _round in range(options.rounds):
            for target in targets:
                measurement = run_wrk(options, script, base, target, credentials, options.duration)
                results.setdefault(target.label, []).append(measurement)
    except RuntimeError as error:
        print(f"the run failed: {error}")
        print("server log and scratch files kept in", scratch)
        return 1
    finally:
        if server is not None:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        connections.close_all()
        if server_url:
            drop_postgres_database(server_url, BENCH_DATABASE)

    def rate(label: str) -> float:
        rounds = results[label]
        return sum(m.requests_per_second for m in rounds) / len(rounds)

    print("lesson and progress benchmark")
    print(f"database: {database_label}")
    print(
        f"server: gunicorn, {options.workers} sync workers; load: wrk -t{options.threads} "
        f"-c{options.connections}, {options.rounds} rounds of {options.duration} s per target "
        f"after {options.warmup} s of warm-up"
    )
    print(f"course: {options.modules} modules x {options.lessons} lessons")
    for label, rounds in results.items():
        per_round = ", ".join(f"{m.requests_per_second:.0f}" for m in rounds)
        print(f"{label}: {rate(label):.0f} req/s (rounds: {per_round}); {queries[label]} queries")
        unexpected = sum(m.unexpected for m in rounds)
        if unexpected:
            print(
                f"{label}: {unexpected} responses with an unexpected status; the run is not valid"
            )
            ok = False
        errors = [m.socket_errors for m in rounds if m.socket_errors]
        if errors:
            print(f"{label}: socket errors: {'; '.join(errors)}")
    for label, floor, target in [
        ("lesson page", "bare GET", LESSON_PAGE_TARGET),
        ("progress save", "bare POST", PROGRESS_SAVE_TARGET),
    ]:
        ratio = rate(label) / rate(floor)
        verdict = "met" if ratio >= target else "MISSED"
        print(
            f"{label}: {rate(label):.0f} req/s; {floor}: {rate(floor):.0f} req/s; "
            f"ratio {ratio:.2f} (target >= {target}) {verdict}"
        )
    print(f"total seconds: {time.monotonic() - began:.0f}")
    if ok:
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        print("server log and scratch files kept in", scratch)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
