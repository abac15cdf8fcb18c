"""Reading the counts for the staff statistics page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum

from coursekeeper.stats.models import PageViewCount, ScreenBucket, ScreenSizeCount
from coursekeeper.stats.services import school_today


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    views: int


def views_per_day(*, days: int = 30, today: dt.date | None = None) -> list[DayCount]:
    """Return the page views of each of the last `days` days, oldest first, zeros included."""
    today = today or school_today()
    first = today - dt.timedelta(days=days - 1)
    totals = dict(
        PageViewCount.objects.filter(day__gte=first, day__lte=today)
        .values("day")
        .annotate(total=Sum("views"))
        .values_list("day", "total")
    )
    return [
        DayCount(day, totals.get(day, 0))
        for day in (first + dt.timedelta(days=n) for n in range(days))
    ]


def top_pages(*, days: int = 30, limit: int = 10, today: dt.date | None = None) -> list[dict]:
    """Return the most viewed pages of the last `days` days, with their views."""
    today = today or school_today()
    return list(
        PageViewCount.objects.filter(day__gt=today - dt.timedelta(days=days), day__lte=today)
        .values("route")
        .annotate(total=Sum("views"))
        .order_by("-total", "route")[:limit]
    )


def screen_sizes(*, days: int = 30, today: dt.date | None = None) -> list[tuple[str, int]]:
    """Return (step label, browser sessions) for every screen-width step, zeros included."""
    today = today or school_today()
    totals = dict(
        ScreenSizeCount.objects.filter(day__gt=today - dt.timedelta(days=days), day__lte=today)
        .values("bucket")
        .annotate(total=Sum("reports"))
        .values_list("bucket", "total")
    )
    return [(str(label), totals.get(code, 0)) for code, label in ScreenBucket.choices]
