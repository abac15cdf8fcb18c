"""R38: static files served by `runserver --insecure` never leave the static folders, and a
path that tries answers 404 like any missing file, not 500.

The server here is the one `runserver --insecure` builds: Django's development WSGI server with
the static-files handler wrapped around the project's WSGI application, spoken to over a real
socket, so the request line reaches it exactly as written (no client tidies `..` away).
"""

from __future__ import annotations

import http.client
import threading

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.wsgi import get_wsgi_application

from coursekeeper.web.staticfinders import leaves_static_folders

pytestmark = pytest.mark.django_db(transaction=True)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def insecure_static_server(settings):
    settings.DEBUG = False
    server = WSGIServer(("127.0.0.1", 0), QuietHandler, ipv6=False)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address
    finally:
        server.shutdown()
        server.server_close()


def status_of(address: tuple[str, int], raw_path: str) -> int:
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        connection.request("GET", raw_path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


LEAVING_PATHS = (
    "/static/../manage.py",
    "/static/%2e%2e/manage.py",
    "/static/..%2fmanage.py",
    "/static/%2e%2e%2fmanage.py",
    "/static/web/../../../manage.py",
    "/static/..",
    "/static/..%5cmanage.py",
)


def test_r38_a_static_path_leaving_the_static_folders_is_a_404(insecure_static_server):
    statuses = {path: status_of(insecure_static_server, path) for path in LEAVING_PATHS}

    assert statuses == dict.fromkeys(LEAVING_PATHS, 404)


def test_r38_static_files_are_still_served(insecure_static_server):
    assert status_of(insecure_static_server, "/static/web/site.css") == 200
    assert status_of(insecure_static_server, "/static/web/no-such-file.css") == 404


@pytest.mark.parametrize(
    ("path", "leaves"),
    [
        ("web/site.css", False),
        ("web/../web/site.css", False),
        ("..", True),
        ("../manage.py", True),
        ("web/../../manage.py", True),
        ("/etc/passwd", True),
        ("..\\manage.py", True),
    ],
)
def test_r38_which_paths_leave_the_static_folders(path, leaves):
    assert leaves_static_folders(path) is leaves
