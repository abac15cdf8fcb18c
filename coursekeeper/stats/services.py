"""Counting: one UPDATE per page view in the common case, an INSERT for a day's first view.

Two requests racing to insert the same day's first row: the loser's INSERT fails on the unique
constraint inside its own savepoint, and it adds its one with an UPDATE instead, so no view is
lost or counted twice. A failure to count never fails the page (see the middleware).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from coursekeeper.stats.models import PageViewCount, ScreenBucket, ScreenSizeCount


def school_today() -> dt.date:
    """Return today in the school's time zone (whoever's page is being counted)."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def _increment(model: type[models.Model], counter: str, key: dict) -> None:
    if model.objects.filter(**key).update(**{counter: F(counter) + 1}):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **{counter: 1})
    except IntegrityError:
        model.objects.filter(**key).update(**{counter: F(counter) + 1})


def count_page_view(*, route: str, language: str, day: dt.date | None = None) -> None:
    """Add one view of `route` (a route's name) in `language` to the day's count."""
    _increment(
        PageViewCount,
        "views",
        {"day": day or school_today(), "route": route[:150], "language": language[:8]},
    )


def count_screen_size(*, bucket: str, day: dt.date | None = None) -> None:
    """Add one browser session to the day's count of screens in `bucket`."""
    if bucket not in ScreenBucket.values:
        raise ValueError(f"{bucket!r} is not a screen-size step.")
    _increment(ScreenSizeCount, "reports", {"day": day or school_today(), "bucket": bucket})
