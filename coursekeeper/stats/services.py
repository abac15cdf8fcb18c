"""Counting: page views are added up in each worker process and written in one go.

A page view is a dictionary increment in memory; every `STATS_FLUSH_EVERY` views, or once
`STATS_FLUSH_SECONDS` have passed since the last write, the process writes what it counted:
one UPDATE per (day, route, language) it saw, an INSERT for a day's first view. So a busy
lesson page costs no database write per view. What a worker had not yet written is lost if it
is killed (at most `STATS_FLUSH_EVERY` views): acceptable for aggregate counts that name
nobody, and written at a clean exit (`atexit`). Tests write through (`STATS_FLUSH_EVERY` 1).

A signed-in person's view is counted only when the privacy gate allows it (the statistics
purpose, `stats.privacy`: an objection or a restriction leaves their views out); the question
is asked when the view is counted, not when the batch is written.

Two processes racing to insert the same day's first row: the loser's INSERT fails on the unique
constraint inside its own savepoint, and it adds its count with an UPDATE instead, so no view is
lost or counted twice. A failure to count never fails the page (see the middleware).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import threading
import time
import zoneinfo
from collections import Counter

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from coursekeeper.privacy.people import Person
from coursekeeper.stats.models import PageViewCount, ScreenBucket, ScreenSizeCount
from coursekeeper.stats.privacy import COUNT_PAGE_VIEW, COUNT_SCREEN_SIZE


def school_today() -> dt.date:
    """Return today in the school's time zone (whoever's page is being counted)."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def _increment(model: type[models.Model], counter: str, key: dict, amount: int = 1) -> None:
    if model._default_manager.filter(**key).update(**{counter: F(counter) + amount}):
        return
    try:
        with transaction.atomic():
            model._default_manager.create(**key, **{counter: amount})
    except IntegrityError:
        model._default_manager.filter(**key).update(**{counter: F(counter) + amount})


_pending: Counter[tuple[dt.date, str, str]] = Counter()
_pending_lock = threading.Lock()
_last_flush = time.monotonic()


def count_page_view(
    *, route: str, language: str, day: dt.date | None = None, person: Person | None = None
) -> bool:
    """Add one view of `route` (a route's name) in `language` to the day's count.

    `person` is the signed-in person whose view it is, None for a visitor nobody can recognise.
    A person the privacy gate refuses (an objection, a restriction) is not counted: return
    whether the view was counted.
    """
    global _last_flush
    if person is not None and not COUNT_PAGE_VIEW.ask(person):
        return False
    key = (day or school_today(), route[:150], language[:8])
    with _pending_lock:
        _pending[key] += 1
        now = time.monotonic()
        if (
            _pending.total() < settings.STATS_FLUSH_EVERY
            and now - _last_flush < settings.STATS_FLUSH_SECONDS
        ):
            return True
        batch = dict(_pending)
        _pending.clear()
        _last_flush = now
    _write_page_views(batch)
    return True


def flush_page_views() -> None:
    """Write what this process counted and has not written yet."""
    with _pending_lock:
        batch = dict(_pending)
        _pending.clear()
    _write_page_views(batch)


def _write_page_views(batch: dict[tuple[dt.date, str, str], int]) -> None:
    for (day, route, language), amount in sorted(batch.items()):
        _increment(
            PageViewCount, "views", {"day": day, "route": route, "language": language}, amount
        )


def _flush_at_exit() -> None:
    # The process is ending: a count that cannot be written is not worth a crash.
    with contextlib.suppress(Exception):
        flush_page_views()


atexit.register(_flush_at_exit)


def count_screen_size(
    *, bucket: str, day: dt.date | None = None, person: Person | None = None
) -> bool:
    """Add one browser session to the day's count of screens in `bucket`; return whether it
    was counted (not for a signed-in `person` the privacy gate refuses)."""
    if bucket not in ScreenBucket.values:
        raise ValueError(f"{bucket!r} is not a screen-size step.")
    if person is not None and not COUNT_SCREEN_SIZE.ask(person):
        return False
    _increment(ScreenSizeCount, "reports", {"day": day or school_today(), "bucket": bucket})
    return True
