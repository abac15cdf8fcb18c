"""The statistics app keeps counts only, so it has no models to build for a person; what it has
are its processing paths, ready to run for one (privacy.paths)."""

from __future__ import annotations

import datetime as dt

from coursekeeper.privacy.paths import Rehearsal
from coursekeeper.privacy.people import Person
from coursekeeper.stats.models import PageViewCount, ScreenBucket, ScreenSizeCount


def _day_of(user) -> dt.date:
    # A day no other test counts on, so "was it counted" reads one row.
    return dt.date(1970, 1, 1) + dt.timedelta(days=user.pk)


def rehearse_count_page_view(user, path) -> Rehearsal:
    from coursekeeper.stats.services import count_page_view

    day = _day_of(user)
    return Rehearsal(
        run=lambda: count_page_view(
            route="learning:lesson", language="en", day=day, person=Person.for_user(user)
        ),
        happened=lambda: PageViewCount.objects.filter(day=day).exists(),
    )


def rehearse_count_screen_size(user, path) -> Rehearsal:
    from coursekeeper.stats.services import count_screen_size

    day = _day_of(user)
    return Rehearsal(
        run=lambda: count_screen_size(
            bucket=ScreenBucket.FROM_1024, day=day, person=Person.for_user(user)
        ),
        happened=lambda: ScreenSizeCount.objects.filter(day=day).exists(),
    )
