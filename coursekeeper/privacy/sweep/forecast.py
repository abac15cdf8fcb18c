"""What the sweep will remove in the coming weeks, for the staff's retention page.

The forecast. `expiring_by_week(now)` counts, per declaration and week, the rows whose retention
will run out in each of the coming weeks, with one indexed range count per declaration: for
`After`, the rows whose column falls in the week shifted back by the period; for `Hold`, the rows
whose release date falls in the week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from coursekeeper.privacy.declarations import After, Hold, Retention
from coursekeeper.privacy.sweep.rules import Rule, sweep_rules


def _window(retention: Retention, start: dt.datetime, end: dt.datetime) -> Q:
    """Return the rows whose retention runs out at or after `start` and before `end`."""
    if isinstance(retention, After):
        column = retention.column
        return Q(
            **{
                f"{column}__gte": retention.cutoff(start),
                f"{column}__lt": retention.cutoff(end),
            }
        )
    if isinstance(retention, Hold):
        column = retention.release_column
        return Q(**{f"{column}__gte": start, f"{column}__lt": end})
    raise TypeError(f"{type(retention).__name__} does not run out on a date")


@dataclass
class ForecastLine:
    rule: Rule
    overdue: int  # expired already, waiting for the next sweep
    weeks: list[int]

    @property
    def total(self) -> int:
        return sum(self.weeks)


@dataclass
class Forecast:
    now: dt.datetime
    starts: list[dt.datetime]  # the first moment of each week
    lines: list[ForecastLine]

    @property
    def totals(self) -> list[int]:
        return [sum(line.weeks[index] for line in self.lines) for index in range(len(self.starts))]

    @property
    def overdue(self) -> int:
        return sum(line.overdue for line in self.lines)

    @property
    def total(self) -> int:
        return sum(self.totals)


def expiring_by_week(now: dt.datetime, weeks: int = 8) -> Forecast:
    """Count, per rule and for each of the next `weeks` weeks from `now`, the rows that expire.

    One aggregate per rule over an index range (the weeks' counts are filtered counts of it),
    and one count of what has expired already.
    """
    week = dt.timedelta(days=7)
    starts = [now + week * index for index in range(weeks)]
    lines = []
    for rule in sweep_rules():
        rows = rule.pending()
        counts = rows.filter(_window(rule.retention, now, now + week * weeks)).aggregate(
            **{
                f"week{index}": Count("pk", filter=_window(rule.retention, start, start + week))
                for index, start in enumerate(starts)
            }
        )
        lines.append(
            ForecastLine(
                rule=rule,
                overdue=rule.expired(now).count(),
                weeks=[counts[f"week{index}"] for index in range(weeks)],
            )
        )
    return Forecast(now=now, starts=starts, lines=lines)
