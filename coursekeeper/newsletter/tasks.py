"""Tasks of the newsletter app; each carries only a row id and calls a service."""

from __future__ import annotations

from django_tasks import task

from coursekeeper.newsletter import dispatch


@task()
def run_newsletter_dispatch(dispatch_id: int) -> None:
    """Queue the emails of dispatch row `dispatch_id` if it is due; safe to run more than once."""
    dispatch.run_dispatch(dispatch_id=dispatch_id)
