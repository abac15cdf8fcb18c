"""The retention page for privacy staff (R33): what will expire in the coming weeks, and the log.

The chart is an SVG drawn on the server (no script, nothing loaded from elsewhere); the table
under it carries the same numbers for screen readers and for copying.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coursekeeper.privacy.access.roles import HANDLE_REQUESTS, requires
from coursekeeper.privacy.sweep import Forecast, expiring_by_week, recent_runs
from coursekeeper.privacy.texts import retention_text

WEEKS = 8

# The chart's drawing area, in SVG user units (it scales to the page's width).
CHART_WIDTH = 640
CHART_HEIGHT = 240
CHART_TOP = 28  # room for the count above the tallest bar
CHART_BOTTOM = 36  # room for the week labels
CHART_SIDE = 8


@dataclass(frozen=True)
class Bar:
    start: object  # the week's first moment
    value: int
    x: float
    y: float
    width: float
    height: float

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self) -> float:
        """Where the count sits: just above the bar."""
        return round(self.y - 6, 1)


def chart_bars(forecast: Forecast) -> list[Bar]:
    """Lay out one bar per week, heights proportional to the week's total."""
    totals = forecast.totals
    slot = (CHART_WIDTH - 2 * CHART_SIDE) / len(totals)
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = CHART_HEIGHT - CHART_BOTTOM
    highest = max(totals, default=0) or 1
    bars = []
    for index, (start, value) in enumerate(zip(forecast.starts, totals, strict=True)):
        height = round(plot_height * value / highest, 1)
        width = round(slot * 0.7, 1)
        bars.append(
            Bar(
                start=start,
                value=value,
                x=round(CHART_SIDE + slot * index + (slot - width) / 2, 1),
                y=round(baseline - height, 1),
                width=width,
                height=height,
            )
        )
    return bars


def chart_summary(forecast: Forecast) -> str:
    """Say in words what the chart shows, for its accessible name."""
    weeks = "; ".join(
        _("week of %(date)s: %(count)d") % {"date": date_format(start, "j F"), "count": count}
        for start, count in zip(forecast.starts, forecast.totals, strict=True)
    )
    text = _("Rows expiring in each of the next %(weeks)d weeks, %(total)d in all: %(list)s.")
    return text % {"weeks": len(forecast.starts), "total": forecast.total, "list": weeks}


@requires(HANDLE_REQUESTS)
@require_http_methods(["GET"])
def retention(request: HttpRequest) -> HttpResponse:
    """What the retention sweep will delete or anonymise in the next 8 weeks, and what it did."""
    forecast = expiring_by_week(timezone.now(), weeks=WEEKS)
    lines = [
        {
            "name": capfirst(line.rule.declaration.plural_name),
            "label": line.rule.label,
            "rule": retention_text(line.rule.retention),
            "action": line.rule.action,
            "overdue": line.overdue,
            "weeks": line.weeks,
            "total": line.total,
        }
        for line in forecast.lines
        if line.overdue or line.total
    ]
    baseline = CHART_HEIGHT - CHART_BOTTOM
    return render(
        request,
        "privacy/retention.html",
        {
            "forecast": forecast,
            "lines": lines,
            "bars": chart_bars(forecast),
            "summary": chart_summary(forecast),
            "chart": {
                "width": CHART_WIDTH,
                "height": CHART_HEIGHT,
                "baseline": baseline,
                "label_y": baseline + 22,
                "right": CHART_WIDTH - CHART_SIDE,
                "left": CHART_SIDE,
            },
            "runs": recent_runs(),
        },
    )
