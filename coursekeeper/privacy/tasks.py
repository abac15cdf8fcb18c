"""Tasks of the privacy app; each carries only a job row's id and calls a service."""

from __future__ import annotations

from django_tasks import task

from coursekeeper.privacy import jobs


@task()
def run_erasure_job(job_id: int) -> None:
    jobs.run_erasure_job(job_id=job_id)


@task()
def run_export_job(job_id: int) -> None:
    jobs.run_export_job(job_id=job_id)
