"""The screen-size endpoint (only with statistics consent) and the staff statistics page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coursekeeper.cookies.consent import cookies_allowed
from coursekeeper.cookies.models import CookieCategory
from coursekeeper.privacy.access.roles import VIEW_STATISTICS, requires
from coursekeeper.stats import selectors, services
from coursekeeper.stats.middleware import person_of
from coursekeeper.stats.models import ScreenBucket
from coursekeeper.web.charts import bar_chart

CHART_DAYS = 30


@require_POST
def record_screen_size(request: HttpRequest) -> HttpResponse:
    """Count one browser session's screen-width step; refused without statistics consent.

    The consent is read from the device's choice cookie, never assumed: without a current
    choice that accepts statistics the answer is 403 and nothing is counted.
    """
    if not cookies_allowed(request, CookieCategory.STATISTICS):
        return JsonResponse(
            {"error": _("Statistics are not allowed on this device, so nothing was counted.")},
            status=403,
        )
    bucket = request.POST.get("bucket", "")
    if bucket not in ScreenBucket.values:
        return JsonResponse(
            {"error": _("That is not a screen size we count; nothing was counted.")}, status=400
        )
    services.count_screen_size(bucket=bucket, person=person_of(request))
    return HttpResponse(status=204)


@requires(VIEW_STATISTICS)
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    """Page views per day for the last 30 days, the most viewed pages and screen sizes."""
    days = selectors.views_per_day(days=CHART_DAYS)
    chart = bar_chart([(date_format(d.day, "SHORT_DATE_FORMAT"), d.views) for d in days])
    return render(
        request,
        "stats/statistics.html",
        {
            "days": days,
            "chart": chart,
            "total": sum(d.views for d in days),
            "top_pages": selectors.top_pages(days=CHART_DAYS),
            "screen_sizes": selectors.screen_sizes(days=CHART_DAYS),
            "chart_days": CHART_DAYS,
        },
    )
