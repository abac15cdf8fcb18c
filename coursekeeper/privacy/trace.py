"""Find every place an identifier of a person appears: tables, files, logs (R29).

This is the tool behind the no-trace tests and the answer to "did the erasure really work?".
Unlike everything else in the privacy app it does NOT trust the declarations: it reads every
column of every table the database has (Django's, third-party apps', the search index, the
cache), cast to text and compared case-insensitively, plus every stored file and the given log
files. It scans, so it is slow on a big database by design: it is a diagnostic, not a hot path.

An identifier hashed without a key is the identifier to anyone who can hash a list of candidates
(a library's rate limit once kept `sha256(email)` in the cache), so `trace_person` also looks for
the MD5, SHA-1 and SHA-256 hex digests of each identifier, as given and lower-cased. And the
database cache stores its values pickled and base64-encoded, which no text search sees into, so
its values are also decoded and searched as bytes (never unpickled).
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

from coursekeeper.privacy.declarations import KeepHeld, registry


@dataclass(frozen=True)
class Trace:
    kind: str  # "table", "cache" (a decoded cache value), "file" or "log"
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


def _database_cache_tables() -> list[str]:
    from django.core.cache import caches
    from django.core.cache.backends.db import BaseDatabaseCache

    return sorted(
        {
            settings.CACHES[alias]["LOCATION"]
            for alias in settings.CACHES
            if isinstance(caches[alias], BaseDatabaseCache)
        }
    )


def decoded_cache_value(value: str) -> bytes:
    """Return a database cache value's pickled bytes, lower-cased (b"" if it is not base64)."""
    try:
        return base64.b64decode(value, validate=True).lower()
    except (binascii.Error, ValueError):
        return b""


def trace_cache(identifiers: Iterable[str]) -> list[Trace]:
    """Count, per database cache table, the values that hold any identifier once decoded."""
    needles = [i.lower().encode() for i in identifiers if i]
    if not needles:
        return []
    quote = connection.ops.quote_name
    traces = []
    with connection.cursor() as cursor:
        for table in _database_cache_tables():
            cursor.execute(f"SELECT {quote('value')} FROM {quote(table)}")  # noqa: S608
            count = sum(
                1
                for (value,) in cursor.fetchall()
                if any(needle in decoded_cache_value(value) for needle in needles)
            )
            if count:
                traces.append(Trace("cache", f"{table}.value", count))
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


def unkeyed_digests(identifiers: Iterable[str]) -> list[str]:
    """Return the MD5, SHA-1 and SHA-256 hex digests of each identifier, as given and lower-cased.

    What a library that "anonymises" by hashing would store; none of them may survive an erasure.
    """
    forms = sorted({form for i in identifiers if i for form in (i, i.lower())})
    return [
        hashlib.new(algorithm, form.encode(), usedforsecurity=False).hexdigest()
        for form in forms
        for algorithm in ("md5", "sha1", "sha256")
    ]


def trace_person(identifiers: Iterable[str], *, log_files: Iterable[Path] = ()) -> list[Trace]:
    """Return every place an identifier or its unkeyed digest appears: tables, files, logs."""
    identifiers = [i for i in identifiers if i]
    identifiers += unkeyed_digests(identifiers)
    return [
        *trace_tables(identifiers),
        *trace_cache(identifiers),
        *trace_files(identifiers, [Path(settings.MEDIA_ROOT)]),
        *trace_files(identifiers, [Path(p) for p in log_files if Path(p).exists()], kind="log"),
    ]
