"""The sweep's past runs as the staff's retention page shows them, read from its `SweepLog`."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from coursekeeper.privacy.models import SweepLog
from coursekeeper.privacy.sweep.rules import ANONYMISE, DELETE


@dataclass
class SweepRun:
    run_id: uuid.UUID
    started_at: dt.datetime
    finished_at: dt.datetime | None  # None: killed or still running
    dry_run: bool
    entries: list[SweepLog]  # the rules under which something was (or would be) done or failed

    def total(self, action: str) -> int:
        return sum(entry.count for entry in self.entries if entry.action == action)

    @property
    def deleted(self) -> int:
        return self.total(DELETE)

    @property
    def anonymised(self) -> int:
        return self.total(ANONYMISE)

    @property
    def cascaded(self) -> int:
        return sum(sum(entry.cascaded.values()) for entry in self.entries)

    @property
    def failed(self) -> bool:
        return any(entry.error for entry in self.entries)


def recent_runs(limit: int = 5) -> list[SweepRun]:
    """Return the last `limit` sweep runs, newest first, from the log."""
    from django.db.models import Max, Min

    latest = list(
        SweepLog.objects.values("run_id")
        .annotate(first=Min("started_at"), last=Max("finished_at"))
        .order_by("-first")[:limit]
    )
    entries: dict[uuid.UUID, list[SweepLog]] = {row["run_id"]: [] for row in latest}
    for entry in SweepLog.objects.filter(run_id__in=list(entries)).order_by("declaration"):
        entries[entry.run_id].append(entry)
    runs = []
    for row in latest:
        logged = entries[row["run_id"]]
        unfinished = any(entry.finished_at is None for entry in logged)
        runs.append(
            SweepRun(
                run_id=row["run_id"],
                started_at=row["first"],
                finished_at=None if unfinished else row["last"],
                dry_run=any(entry.dry_run for entry in logged),
                entries=[e for e in logged if e.count or e.error or e.finished_at is None],
            )
        )
    return runs
