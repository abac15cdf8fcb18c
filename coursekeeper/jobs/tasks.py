"""Tasks of the jobs app; each carries only a job name and calls a command."""

from __future__ import annotations

from django.core.management import call_command
from django_tasks import task

from coursekeeper.jobs.registry import periodic_job


@task()
def run_periodic_job(job_name: str) -> None:
    """Run one periodic job (its management command) for a slot the scheduler started."""
    job = periodic_job(job_name)
    call_command(job.command, *job.arguments, verbosity=0)
