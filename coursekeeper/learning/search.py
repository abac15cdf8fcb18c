"""Full-text search of the catalogue: PostgreSQL's own on PostgreSQL, FTS5 on SQLite.

On SQLite the text lives a second time in the FTS5 table `learning_course_search`, written by
`index_course` whenever a course is saved through the service (no signals: every write goes
through `services.save_course`). On PostgreSQL the query builds the search vector directly;
with a catalogue of hundreds of courses that needs no index.
"""

from __future__ import annotations

import re

from django.db import connection

from coursekeeper.learning.models import Course

FTS_TABLE = "learning_course_search"
WORD = re.compile(r"\w+", re.UNICODE)


def create_sqlite_index(schema_connection) -> None:
    """Create the FTS5 table (called by the migration on SQLite only)."""
    with schema_connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "course_id UNINDEXED, title, summary, description, tokenize='unicode61')"
        )


def index_course(course: Course) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE course_id = %s", [course.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (course_id, title, summary, description) "  # noqa: S608
            "VALUES (%s, %s, %s, %s)",
            [course.pk, course.title, course.summary, course.description],
        )


def remove_course(course_id: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE course_id = %s", [course_id])  # noqa: S608


def matching_courses(queryset, text: str):
    """Filter `queryset` to the courses matching every word of `text` (prefixes count)."""
    words = WORD.findall(text)[:10]
    if not words:
        return queryset
    if connection.vendor == "sqlite":
        # Each word quoted, so nothing a person types is read as FTS5 syntax.
        match = " ".join('"{}"*'.format(word.replace('"', "")) for word in words)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT course_id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rank",  # noqa: S608
                [match],
            )
            ids = [row[0] for row in cursor.fetchall()]
        return queryset.filter(pk__in=ids)
    from django.contrib.postgres.search import SearchQuery, SearchVector

    vector = (
        SearchVector("title", weight="A", config="simple")
        + SearchVector("summary", weight="B", config="simple")
        + SearchVector("description", weight="C", config="simple")
    )
    query = SearchQuery(
        " & ".join(f"{word}:*" for word in words), search_type="raw", config="simple"
    )
    return queryset.annotate(search=vector).filter(search=query)
