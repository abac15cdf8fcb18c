"""The operations page: how the platform runs, for the operations role (R34)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coursekeeper.jobs import selectors
from coursekeeper.privacy.access.roles import OPERATE, requires


@requires(OPERATE)
@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    by_kind, events = selectors.security_events(acting_user=request.user)
    return render(
        request,
        "jobs/operations.html",
        {
            "jobs": selectors.job_states(),
            "periodic": selectors.periodic_states(),
            "sweeps": selectors.sweep_runs(),
            "failed_tasks": selectors.failed_tasks(),
            "events_by_kind": by_kind,
            "events": events,
        },
    )
