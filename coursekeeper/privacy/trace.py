"""Find every place an identifier of a person appears: tables, files, logs (R29).

This is the tool behind the no-trace tests and the answer to "did the erasure really work?".
Unlike everything else in the privacy app it does NOT trust the declarations: it reads every
column of every table the database has (Django's, third-party apps', the search index, the
cache), cast to text and compared case-insensitively, plus every stored file and the given log
files. It scans, so it is slow on a big database by design: it is a diagnostic, not a hot path.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

from coursekeeper.privacy.declarations import KeepHeld, registry


@dataclass(frozen=True)
class Trace:
    kind: str  # "table", "file" or "log"
    where: str  # table.column, or a path
    count: int
    held: bool = False  # in a table the law makes us keep (allowed)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def held_tables() -> set[str]:
    return {d.model._meta.db_table for d in registry if isinstance(d.erasure, KeepHeld)}


def table_labels() -> dict[str, str]:
    return {m._meta.db_table: m._meta.label for m in apps.get_models(include_auto_created=True)}


def _columns(cursor, table: str) -> list[str]:
    return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def trace_tables(identifiers: Iterable[str]) -> list[Trace]:
    """Count, per table and column, the rows whose text contains any of the identifiers."""
    needles = [f"%{_escape_like(i.lower())}%" for i in identifiers if i]
    if not needles:
        return []
    quote = connection.ops.quote_name
    held = held_tables()
    traces = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in sorted(tables):
            if connection.vendor == "sqlite" and fnmatch.fnmatch(table, "*_search_*"):
                continue  # FTS5's shadow tables; their owner table is searched itself
            for column in _columns(cursor, table):
                condition = " OR ".join(
                    f"LOWER(CAST({quote(column)} AS TEXT)) LIKE %s ESCAPE '\\'" for _ in needles
                )
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE {condition}",  # noqa: S608
                    needles,
                )
                (count,) = cursor.fetchone()
                if count:
                    traces.append(Trace("table", f"{table}.{column}", count, table in held))
    return traces


def _count_in(path: Path, needles: list[bytes]) -> int:
    content = path.read_bytes().lower()
    return sum(content.count(needle) for needle in needles)


def trace_files(
    identifiers: Iterable[str], roots: Iterable[Path], kind: str = "file"
) -> list[Trace]:
    """Count the identifiers in every file under `roots` (or in `roots` themselves if files)."""
    needles = [i.lower().encode() for i in identifiers if i]
    traces = []
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in paths:
            count = _count_in(path, needles)
            if count:
                traces.append(Trace(kind, str(path), count))
    return traces


def trace_person(identifiers: Iterable[str], *, log_files: Iterable[Path] = ()) -> list[Trace]:
    """Return every place any of `identifiers` appears: tables, stored files, log files."""
    identifiers = [i for i in identifiers if i]
    return [
        *trace_tables(identifiers),
        *trace_files(identifiers, [Path(settings.MEDIA_ROOT)]),
        *trace_files(identifiers, [Path(p) for p in log_files if Path(p).exists()], kind="log"),
    ]
