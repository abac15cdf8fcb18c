"""Serving a project with gunicorn and loading it with wrk: what the page benchmarks share.

Not a benchmark itself (`make bench` skips bench/_*.py). `pages_against_bare_django.py` and
`quiz_and_insight.py` both serve coursekeeper and the bare project (`bench/bare_django/`) with
`start_server`, check each target once with `check_once`, and measure it with `run_wrk`, whose
script counts every response with another status than the expected one: wrk itself counts a
3xx as a success, and a session that lost its sign-in would look fast.
"""

from __future__ import annotations

import argparse
import importlib.util
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
from dataclasses import dataclass, field
from pathlib import Path

from _scratch import create_postgres_database

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
FLOOR_MARKER = b'id="bare-django-floor"'

# One wrk script for every target of a fixed path: the method, body, content type and expected
# status come as arguments, and every response with another status is counted and reported.
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
    wrk.headers["Content-Type"] = args[4]
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


@dataclass
class Target:
    label: str
    path: str
    marker: bytes = b""
    method: str = "GET"
    body: str = ""
    expected_status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    target_ratio: float | None = None
    content_type: str = "application/json"
    # Another wrk script than WRK_SCRIPT, and the arguments it takes after the usual four.
    script: Path | None = None
    script_args: list[str] = field(default_factory=list)
    connections: int | None = None  # fewer than the run's, for a slow page


@dataclass
class Measurement:
    requests_per_second: float
    unexpected: int
    socket_errors: str


class InvalidRun(Exception):
    pass


def missing_tools() -> list[str]:
    """Return how to install each tool the benchmark needs and does not find."""
    missing = []
    if shutil.which("wrk") is None:
        missing.append("wrk is not installed; on Debian: sudo apt-get install wrk")
    if importlib.util.find_spec("gunicorn") is None:
        missing.append(f"gunicorn is not installed; {sys.executable} -m pip install gunicorn")
    return missing


@dataclass
class Scratch:
    """Where a run keeps its files and database, and the environments of its two servers."""

    directory: Path
    environment: dict[str, str]
    bare_environment: dict[str, str]
    database_label: str
    server_url: str | None


def scratch_environment(*, prefix: str, database: str, workers: int) -> Scratch:
    """Make a scratch directory and database (SQLite file, or `database` on the PostgreSQL
    server of DATABASE_URL, created afresh) and point this process at them."""
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    server_url = os.environ.get("DATABASE_URL")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coursekeeper.settings",
        "COURSEKEEPER_ENV": "development",
        "DJANGO_DEBUG": "false",
        "COURSEKEEPER_VAR_DIR": str(directory),
        "LOG_LEVEL": "WARNING",
        "BENCH_WORKERS": str(workers),
    }
    environment.pop("DJANGO_ALLOWED_HOSTS", None)  # the development default has 127.0.0.1
    if server_url:
        environment["DATABASE_URL"] = create_postgres_database(server_url, database)
        database_label = f"postgresql (scratch database {database})"
    else:
        environment["COURSEKEEPER_SQLITE_PATH"] = str(directory / "bench.sqlite3")
        database_label = "sqlite (scratch file)"
    bare_environment = {
        **environment,
        "DJANGO_SETTINGS_MODULE": "bare_django.settings",
        "BARE_DJANGO_SQLITE_PATH": str(directory / "bare.sqlite3"),
    }
    os.environ.pop("DJANGO_ALLOWED_HOSTS", None)
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    return Scratch(directory, environment, bare_environment, database_label, server_url)


def session_headers(user, *, authenticator=None) -> dict[str, str]:
    """Sign `user` in with the test client; return the headers a browser would then send.

    That is the session and CSRF cookies and, as player.js sends it, the X-CSRFToken header
    (the unmasked secret is as valid there as the masked form a page carries). With an
    `authenticator`, the session also records the TOTP step, as allauth's two-factor form does.
    """
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    session = client.session
    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    if authenticator is not None:
        records.append({"method": "mfa", "at": now, "id": authenticator.pk, "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    client.get(reverse("learning:dashboard"))  # a page with a form sets the CSRF cookie
    session_id, csrf = (
        client.cookies[name].value
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    )
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_id}; "
        f"{settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
    }


def start_server(application: str, port: int, environment: dict, log_path: Path):
    """Start gunicorn on `application`: the one command both projects are served with."""
    with log_path.open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(environment["BENCH_WORKERS"]),
                "--worker-class",
                "sync",
                "--chdir",
                str(ROOT),
                "--pythonpath",
                f"{BENCH},{ROOT}",
                "--log-level",
                "warning",
                application,
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop_server(server: subprocess.Popen | None) -> None:
    if server is None:
        return
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def request_once(base: str, target: Target) -> tuple[int, bytes]:
    """Send one request of `target` (no redirects followed); return its status and body."""
    request = urllib.request.Request(base + target.path, method=target.method)  # noqa: S310
    for name, value in target.headers.items():
        request.add_header(name, value)
    if target.method == "POST":
        request.data = target.body.encode()
        request.add_header("Content-Type", target.content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - 127.0.0.1
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for_server(base: str, server: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(base + "/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def check_once(base: str, target: Target) -> None:
    status, content = request_once(base, target)
    if status != target.expected_status:
        raise InvalidRun(f"{target.label}: expected {target.expected_status}, got {status}")
    if target.marker and target.marker not in content:
        raise InvalidRun(f"{target.label}: the answer lacks {target.marker.decode()!r}")


def run_wrk(
    options: argparse.Namespace, script: Path, base: str, target: Target, seconds: int
) -> Measurement:
    """Load `target` for `seconds` with wrk (`target.script` instead of `script` if it has one)."""
    connections = target.connections or options.connections
    threads = min(options.threads, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--timeout", "10s", "-s", str(target.script or script)]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [base + target.path, "--", str(target.expected_status), target.method, target.body]
    command += [target.content_type, *target.script_args]
    result = subprocess.run(  # noqa: S603 - wrk against our own loopback server
        command, capture_output=True, text=True, timeout=seconds + 30, check=False
    )
    output = result.stdout + result.stderr
    rate = re.search(r"Requests/sec:\s*([0-9.]+)", output)
    unexpected = re.search(r"unexpected responses: (\d+)", output)
    non_success = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    if result.returncode != 0 or rate is None or unexpected is None:
        raise InvalidRun(f"wrk failed for {target.label}:\n{output}")
    return Measurement(
        requests_per_second=float(rate.group(1)),
        unexpected=max(int(unexpected.group(1)), int(non_success.group(1)) if non_success else 0),
        socket_errors=errors.group(1) if errors else "",
    )


def start_both(scratch: Scratch, servers: list[subprocess.Popen]) -> tuple[str, str]:
    """Serve coursekeeper and the bare project; return their base URLs.

    Each server started is added to `servers`, also when the other does not start, for the
    caller to stop them whatever happens.
    """
    from _scratch import free_port

    base = f"http://127.0.0.1:{free_port()}"
    floor_base = f"http://127.0.0.1:{free_port()}"
    for application, url, env, log in [
        ("coursekeeper.wsgi:application", base, scratch.environment, "coursekeeper.log"),
        ("bare_django.wsgi:application", floor_base, scratch.bare_environment, "bare.log"),
    ]:
        port = int(url.rsplit(":", 1)[1])
        server = start_server(application, port, env, scratch.directory / log)
        servers.append(server)
        if not wait_for_server(url, server):
            raise InvalidRun(f"{application} did not start; its log: {scratch.directory / log}")
    urllib.request.install_opener(urllib.request.build_opener(NoRedirects))
    return base, floor_base


def mean(measurements: list[Measurement]) -> float:
    return sum(m.requests_per_second for m in measurements) / len(measurements)


def bare_page() -> str:
    sys.path.insert(0, str(BENCH))
    from bare_django.urls import PAGE

    return PAGE
