"""What every benchmark needs to stay off the developer's data: a free port, a scratch database.

Not a benchmark itself: `make bench` runs every bench/*.py except the ones starting with "_".
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit, urlunsplit


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _admin_connection(url: str):
    import dj_database_url
    import psycopg

    database = dj_database_url.parse(url)
    return psycopg.connect(
        dbname="postgres",
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        autocommit=True,
    )


def drop_postgres_database(url: str, name: str) -> None:
    with _admin_connection(url) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def create_postgres_database(url: str, name: str) -> str:
    """Create (afresh) the scratch database `name` on the server of `url`; return its URL."""
    drop_postgres_database(url, name)
    with _admin_connection(url) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
